import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import Stripe from "stripe";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendTrack } from "../web/support";
import { saveWebSettings, getWebSettings } from "../../src/web/sites";
import { setIntegration } from "../../src/revenue/integrations";
import { createGoal } from "../../src/goals/goals";

/**
 * conversion_rate with a revenue goal, by visit:source and in total, against a naive reference:
 * visitors in attribution mode land from a source; some send the goal's event from the browser,
 * some pay later the same day through a signed Stripe webhook carrying their visitor id, some
 * both. A visitor converts if either happened (once, however often), and the rate of a source
 * is converted ÷ visitors of that source, in percent with two decimals (Plausible's rounding).
 */
const T0 = Date.UTC(2026, 2, 3, 0);
const HOUR = 3_600_000;
const SOURCES = ["newsletter", "twitter", "google", null] as const;

type Visitor = { source: (typeof SOURCES)[number]; browserGoal: boolean; payments: number[] };

describe("conversion_rate with a revenue goal", () => {
  let server: TestServer;
  let now = T0;
  const stripe = new Stripe("sk_test_x");
  const secret = "whsec_revenue_goal_secret";

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(() => server.stop());

  const query = async (readKey: string, body: Record<string, unknown>) => {
    const res = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ date_range: "day", ...body }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { results: { dimensions: string[]; metrics: number[] }[] };
  };
  const round2 = (x: number) => Math.round(x * 100) / 100;

  test("by source and in total it equals the reference; webhook and browser conversions of one visitor count once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ source: fc.constantFrom(...SOURCES), browserGoal: fc.boolean(), payments: fc.array(fc.integer({ min: 1, max: 90 }).map((n) => n * 100), { maxLength: 2 }) }), { minLength: 1, maxLength: 10 }),
        async (visitors: Visitor[]) => {
          now = T0;
          const site = await makeSite(server.deps, { timezone: "UTC" });
          saveWebSettings(server.deps.db, site.product.id, { ...getWebSettings(server.deps.db, site.product.id), mode: "attribution" }, now);
          setIntegration(server.deps.db, server.deps.config.secret, site.product.id, "stripe", secret, now);
          createGoal(server.deps.db, site.product.id, { name: "Purchase", event: "purchase", currency: "USD" }, now);
          // Morning: the visits (each visitor one, an hour apart); evening: the payments.
          for (const [i, v] of visitors.entries()) {
            now = T0 + i * HOUR;
            const url = `https://${site.domain}/landing${v.source ? `?utm_source=${v.source}` : ""}`;
            const id = `visitor-${String(i).padStart(4, "0")}`;
            expect((await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: url, v: id }, { xff: "203.0.113.9" })).status).toBe(202);
            if (v.browserGoal) {
              now += 60_000;
              expect((await sendTrack(server.url, { site: site.siteToken, n: "purchase", u: url, v: id, rev: { amount: 10, currency: "USD" } }, { xff: "203.0.113.9" })).status).toBe(202);
            }
          }
          let n = 0;
          for (const [i, v] of visitors.entries()) {
            for (const amount of v.payments) {
              now = T0 + 13 * HOUR + ++n * 60_000;
              const payload = JSON.stringify({ id: `evt_${n}`, type: "checkout.session.completed", created: now / 1000, data: { object: { id: `cs_${n}`, mode: "payment", payment_status: "paid", amount_total: amount, currency: "usd", metadata: { litekpi_visitor_id: `visitor-${String(i).padStart(4, "0")}` } } } });
              const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: now / 1000 });
              const res = await server.fetch(`/api/v1/hooks/stripe/${site.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
              expect(res.status).toBe(200);
            }
          }
          now = T0 + 23 * HOUR;
          await server.deps.queue.flushNow();

          // The naive reference.
          const label = (s: Visitor["source"]) => s ?? "Direct / None";
          const bySource = new Map<string, { visitors: number; converted: number; revenue: number }>();
          for (const v of visitors) {
            const g = bySource.get(label(v.source)) ?? { visitors: 0, converted: 0, revenue: 0 };
            g.visitors++;
            if (v.browserGoal || v.payments.length) g.converted++;
            g.revenue += v.payments.reduce((a, b) => a + b, 0) / 100;
            bySource.set(label(v.source), g);
          }
          // Revenue under the goal filter: the webhook purchases (each one completes the goal).
          const expected = [...bySource].filter(([, g]) => g.converted > 0).map(([source, g]) => [source, g.converted, round2((100 * g.converted) / g.visitors), g.revenue]);
          const got = await query(site.readKey, { site_id: site.domain, metrics: ["visitors", "conversion_rate", "revenue"], dimensions: ["visit:source"], filters: [["is", "event:goal", ["purchase"]]] });
          expect(got.results.map((r) => [r.dimensions[0], ...r.metrics]).sort()).toEqual(expected.sort());

          const converted = visitors.filter((v) => v.browserGoal || v.payments.length).length;
          const total = await query(site.readKey, { site_id: site.domain, metrics: ["visitors", "conversion_rate"], filters: [["is", "event:goal", ["purchase"]]] });
          expect(total.results[0]!.metrics).toEqual([converted, round2((100 * converted) / visitors.length)]);

          // The goals breakdown (what the goals card reads) counts the same conversions.
          const goals = await query(site.readKey, { site_id: site.domain, metrics: ["visitors", "conversion_rate"], dimensions: ["event:goal"] });
          expect(goals.results).toEqual(converted ? [{ dimensions: ["purchase"], metrics: [converted, round2((100 * converted) / visitors.length)] }] : []);
        },
      ),
      { numRuns: 12 },
    );
  }, 180_000);
});
