import type { PointRecord } from "../../src/writer/batch";
import { makeProductWithKeys } from "../helpers/factories";
import type { TestServer } from "../helpers/server";
import { sessionCookie } from "../helpers/sign-in";

/** A signed-in owner of a fresh product (a session made directly, like the login page would). */
export async function signedInOwner(server: TestServer, opts: { timezone?: string; name?: string } = {}) {
  const made = await makeProductWithKeys(server.deps, opts);
  return { ...made, cookie: sessionCookie(server.deps, made.user.id) };
}

/**
 * Points through THE write path (the queue), spread over the last `days` days: signups with
 * country and plan tags, so filters and splits have something to show.
 */
export async function seedSignups(server: TestServer, productId: string, opts: { days?: number; now?: number } = {}) {
  const now = opts.now ?? server.deps.clock.now();
  const days = opts.days ?? 14;
  const countries = ["US", "DE", "FR"];
  const plans = ["free", "pro"];
  const points: PointRecord[] = [];
  let i = 0;
  for (let d = 0; d < days; d++) {
    for (let h = 0; h < 24; h += 3, i++) {
      points.push({
        metric: "signups",
        value: 1 + (i % 5),
        tsMs: now - d * 86_400_000 - h * 3_600_000 - 60_000,
        tags: { country: countries[i % 3]!, plan: plans[(i >> 1) % 2]! },
      });
    }
  }
  await server.deps.queue.submitPoints(productId, points);
  return points;
}
