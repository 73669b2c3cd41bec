import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendPlausible } from "../web/support";
import { reference } from "./reference";

/**
 * A web funnel (Homepage → Pricing → Signup → Purchase) per visitor over hits sent as Plausible's
 * script sends them, at moving clock times within one UTC day, against the brute-force reference.
 */
const T0 = Date.UTC(2026, 2, 10, 1);
const STEPS = [{ page: "/" }, { page: "/pricing*" }, { event: "Signup" }, { event: "Purchase", properties: { plan: "pro" } }];

describe("web funnels", () => {
  let server: TestServer;
  let now = T0;
  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(() => server.stop());

  test("per visitor, strict order within the window, equal to the reference", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            visitor: fc.integer({ min: 1, max: 4 }),
            what: fc.constantFrom("/", "/pricing", "/pricing/team", "/blog", "Signup", "Purchase:pro", "Purchase:free"),
            minute: fc.integer({ min: 0, max: 600 }),
          }),
          { maxLength: 25 },
        ),
        fc.constantFrom("30m", "2h", "1d"),
        async (hits, window) => {
          now = T0;
          const site = await makeSite(server.deps);
          const sorted = hits.slice().sort((a, b) => a.minute - b.minute);
          const sent = new Map<number, { ts: number; mask: number }[]>();
          for (const h of sorted) {
            now = T0 + h.minute * 60_000;
            const [name, plan] = h.what.startsWith("/") ? ["pageview", null] : h.what.split(":");
            const path = h.what.startsWith("/") ? h.what : "/app";
            const body: Record<string, unknown> = { n: name, u: `https://${site.domain}${path}`, d: site.domain };
            if (plan) body.p = { plan };
            expect((await sendPlausible(server.url, body, { xff: `198.51.100.${h.visitor}` })).status).toBe(202);
            const mask =
              (name === "pageview" && path === "/" ? 1 : 0) |
              (name === "pageview" && path === "/pricing" ? 2 : 0) |
              (name === "Signup" ? 4 : 0) |
              (name === "Purchase" && plan === "pro" ? 8 : 0);
            if (!mask) continue;
            if (!sent.has(h.visitor)) sent.set(h.visitor, []);
            sent.get(h.visitor)!.push({ ts: now, mask });
          }
          await server.deps.queue.flushNow();
          now = T0 + 20 * 3_600_000;
          const res = await server.fetch("/api/v1/insights/funnel", {
            method: "POST",
            headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({ steps: STEPS, window, date_range: ["2026-03-10", "2026-03-10"] }),
          });
          expect(res.status).toBe(200);
          const answer = await res.json();
          expect(answer.by).toBe("visitor");
          const windowMs = { "30m": 1_800_000, "2h": 7_200_000, "1d": 86_400_000 }[window]!;
          const from = Date.UTC(2026, 2, 10);
          const results = [...sent.values()].map((m) => reference(m, 4, { from, to: from + 86_400_000, windowMs }));
          expect(answer.steps.map((s: { visitors: number }) => s.visitors)).toEqual([0, 1, 2, 3].map((k) => results.filter((r) => r.level > k).length));
        },
      ),
      { numRuns: 10 },
    );
  }, 120_000);
});
