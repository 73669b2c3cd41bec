import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { post } from "../ingest/ingest-helpers";
import { createKey } from "../../src/products/keys";
import { startOfLocalDate, parseLocalDate } from "../../src/lib/time/dates";
import { reference } from "./reference";

/**
 * POST /api/v1/insights/funnel over product events stored through the real ingestion path:
 * random event streams per user (repeated and out-of-order steps, property filters, window and
 * range edges, time zones) against a brute-force reference computed here from what was sent.
 */
type Sent = { user: string | null; name: string; plan: string; ts: number };
const NAMES = ["signup", "project", "invite", "noise"];
const STEPS = [{ event: "signup" }, { event: "project", properties: { plan: "pro" } }, { event: "invite" }];
const matchesStep = (e: Sent, i: number) => e.name === STEPS[i]!.event && (i !== 1 || e.plan === "pro");

describe("funnel API on product events", () => {
  let server: TestServer;
  const T0 = Date.UTC(2026, 2, 1); // events from 1 March 2026 on
  const now = Date.UTC(2026, 2, 20);

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } });
  });
  afterAll(() => server.stop());

  test("counts, drop-offs, median times and their distribution equal a brute-force reference", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            user: fc.option(fc.constantFrom("u1", "u2", "u3", "u4", "u5"), { nil: null, freq: 8 }),
            name: fc.constantFrom(...NAMES),
            plan: fc.constantFrom("pro", "free"),
            ts: fc.integer({ min: 0, max: 6 * 24 * 60 }).map((m) => T0 + m * 60_000),
          }),
          { maxLength: 60 },
        ),
        fc.constantFrom("UTC", "America/New_York", "Asia/Kolkata"),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom("30m", "6h", "1d", "3d"),
        async (sent, zone, firstDay, span, window) => {
          const p = await makeProductWithKeys(server.deps, { timezone: zone });
          const body = sent.map((e) => ({ event: e.name, timestamp: new Date(e.ts).toISOString(), properties: { plan: e.plan }, context: e.user ? { user_id: e.user } : {} }));
          if (body.length) expect((await post(server, "/api/v1/events", JSON.stringify(body), { key: p.ingestKey })).status).toBe(200);
          const first = `2026-03-0${firstDay}`;
          const last = `2026-03-0${firstDay + span}`;
          const res = await server.fetch("/api/v1/insights/funnel", {
            method: "POST",
            headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({ steps: STEPS, window, date_range: [first, last] }),
          });
          expect(res.status).toBe(200);
          const answer = (await res.json()) as { steps: { visitors: number; drop_off: number; conversion_rate: number; median_seconds_to_convert: number | null; time_to_convert: { from_seconds: number; to_seconds: number | null; visitors: number }[] }[] };

          const from = startOfLocalDate(parseLocalDate(first)!, zone);
          const dayAfter = parseLocalDate(last)!;
          const to = startOfLocalDate({ ...dayAfter, d: dayAfter.d + 1 }, zone);
          const windowMs = { "30m": 1_800_000, "6h": 21_600_000, "1d": 86_400_000, "3d": 259_200_000 }[window]!;
          const byUser = new Map<string, { ts: number; mask: number }[]>();
          for (const e of sent) {
            if (!e.user) continue;
            const mask = STEPS.reduce((m, _, i) => m | (matchesStep(e, i) ? 1 << i : 0), 0);
            if (!mask) continue;
            if (!byUser.has(e.user)) byUser.set(e.user, []);
            byUser.get(e.user)!.push({ ts: e.ts, mask });
          }
          const results = [...byUser.values()].map((m) => reference(m.sort((a, b) => a.ts - b.ts), STEPS.length, { from, to, windowMs }));
          for (let k = 0; k < STEPS.length; k++) {
            const reached = results.filter((r) => r.level > k);
            expect(answer.steps[k]!.visitors).toBe(reached.length);
            const times = reached.map((r) => r.fastestMs[k]!).sort((a, b) => a - b);
            const mid = times.length >> 1;
            const median = k === 0 || !times.length ? null : Math.round((times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2) / 1000);
            expect(answer.steps[k]!.median_seconds_to_convert).toBe(median);
            // The distribution: each bucket holds the reference times inside its edges (none for step 1).
            const buckets = answer.steps[k]!.time_to_convert;
            expect(buckets.reduce((n, b) => n + b.visitors, 0)).toBe(k === 0 ? 0 : times.length);
            for (const b of buckets) expect(b.visitors).toBe(k === 0 ? 0 : times.filter((t) => t >= b.from_seconds * 1000 && (b.to_seconds === null || t < b.to_seconds * 1000)).length);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
