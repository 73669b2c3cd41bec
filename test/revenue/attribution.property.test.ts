import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import Stripe from "stripe";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendTrack } from "../web/support";
import { saveWebSettings, getWebSettings } from "../../src/web/sites";
import { setIntegration } from "../../src/revenue/integrations";

/**
 * Attribution end to end, against a reference computed here: visits in attribution mode (with or
 * without utm_source) sent to /api/track at moving clock times, Stripe purchases carrying the
 * visitor id days later, then /api/v2/query revenue and purchases by visit:source. Each payment
 * belongs to exactly one visit: the last with a source inside the window, else the last visit.
 */
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 9);

describe("revenue attribution", () => {
  let server: TestServer;
  let now = T0;
  const stripe = new Stripe("sk_test_x");
  const secret = "whsec_attribution_secret";

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(() => server.stop());

  test("revenue by source equals the reference (last non-direct touch, 7-day window)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("visit" as const), visitor: fc.constantFrom("va-000001", "vb-000002"), source: fc.constantFrom("newsletter", "twitter", null), hour: fc.integer({ min: 0, max: 12 * 24 }) }),
            fc.record({ kind: fc.constant("pay" as const), visitor: fc.constantFrom("va-000001", "vb-000002", "vc-000003", null), amount: fc.integer({ min: 1, max: 500 }).map((n) => n * 100), hour: fc.integer({ min: 0, max: 12 * 24 }) }),
          ),
          { minLength: 1, maxLength: 16 },
        ),
        async (timeline) => {
          now = T0;
          const site = await makeSite(server.deps);
          saveWebSettings(server.deps.db, site.product.id, { ...getWebSettings(server.deps.db, site.product.id), mode: "attribution", attributionWindowDays: 7 }, now);
          setIntegration(server.deps.db, server.deps.config.secret, site.product.id, "stripe", secret, now);
          // One event per hour at most: visits of one visitor an hour apart are separate visits.
          const seen = new Set<number>();
          const events = timeline.filter((e) => !seen.has(e.hour) && seen.add(e.hour)).sort((a, b) => a.hour - b.hour);
          const visits: { visitor: string; source: string | null; at: number }[] = [];
          const expected = new Map<string, { revenue: number; purchases: number }>();
          let n = 0;
          for (const e of events) {
            now = T0 + e.hour * 3_600_000;
            if (e.kind === "visit") {
              const url = `https://${site.domain}/landing${e.source ? `?utm_source=${e.source}` : ""}`;
              const res = await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: url, v: e.visitor }, { xff: "203.0.113.9" });
              expect(res.status).toBe(202);
              visits.push({ visitor: e.visitor, source: e.source, at: now });
            } else {
              const id = `cs_${++n}`;
              const payload = JSON.stringify({ id: `evt_${n}`, type: "checkout.session.completed", created: now / 1000, data: { object: { id, mode: "payment", payment_status: "paid", amount_total: e.amount, currency: "usd", metadata: e.visitor ? { litekpi_visitor_id: e.visitor } : {} } } });
              const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: now / 1000 });
              const res = await server.fetch(`/api/v1/hooks/stripe/${site.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
              expect(res.status).toBe(200);
              const candidates = visits.filter((v) => v.visitor === e.visitor && v.at <= now && v.at > now - 7 * DAY).reverse();
              const chosen = candidates.find((v) => v.source) ?? candidates[0];
              if (chosen) {
                const key = chosen.source ?? "Direct / None";
                const cur = expected.get(key) ?? { revenue: 0, purchases: 0 };
                expected.set(key, { revenue: cur.revenue + e.amount / 100, purchases: cur.purchases + 1 });
              }
            }
          }
          now = T0 + 21 * DAY;
          await server.deps.queue.flushNow();
          const res = await server.fetch("/api/v2/query", {
            method: "POST",
            headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({ site_id: site.domain, metrics: ["revenue", "purchases"], date_range: ["2026-03-01", "2026-03-22"], dimensions: ["visit:source"] }),
          });
          expect(res.status).toBe(200);
          const body = await res.json();
          const got = new Map<string, { revenue: number; purchases: number }>();
          for (const r of body.results as { dimensions: string[]; metrics: number[] }[]) if (r.metrics[1]) got.set(r.dimensions[0]!, { revenue: r.metrics[0]!, purchases: r.metrics[1]! });
          expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
        },
      ),
      { numRuns: 15 },
    );
  }, 120_000);
});
