import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendPlausible } from "../web/support";
import { createGoal } from "../../src/goals/goals";
import { setIntegration } from "../../src/revenue/integrations";

/**
 * Revenue a site reports from the browser (Plausible's `$`, our `goal("purchase", { revenue })`)
 * for a product with no payment provider, as a site moving from Plausible has it: the Stats API's
 * total_revenue, average_revenue, revenue, purchases and rpv against a naive reference, by
 * visit:source and in total. Only the revenue goal's events count, only in the product's
 * currency (never converted); a negative amount is a refund. Once a provider is connected, its
 * webhooks are the one source and the browser's amounts stop counting (they could double).
 */
const T0 = Date.UTC(2026, 2, 3, 0);
const HOUR = 3_600_000;
const SOURCES = ["newsletter", "twitter", "google", null] as const;

type Report = { name: "purchase" | "signup"; amount: number; currency: "USD" | "EUR" };
type Visitor = { source: (typeof SOURCES)[number]; reports: Report[] };

describe("browser-reported revenue", () => {
  let server: TestServer;
  let now = T0;

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  });
  afterAll(() => server.stop());

  const query = async (readKey: string, body: Record<string, unknown>) => {
    const res = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ date_range: "day", ...body }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { results: { dimensions: string[]; metrics: unknown[] }[] };
  };
  const round2 = (x: number) => Math.round(x * 100) / 100;
  const report = fc.record({
    name: fc.constantFrom("purchase" as const, "purchase" as const, "signup" as const),
    // Cents, some refunds; amounts sent as Plausible's script sends them (a decimal string or a number).
    amount: fc.integer({ min: -5000, max: 20000 }).map((c) => c / 100),
    currency: fc.constantFrom("USD" as const, "USD" as const, "EUR" as const),
  });

  test("total_revenue, average_revenue, revenue, purchases and rpv equal the reference, by source and in total", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ source: fc.constantFrom(...SOURCES), reports: fc.array(report, { maxLength: 3 }) }), { minLength: 1, maxLength: 8 }), async (visitors: Visitor[]) => {
        now = T0;
        const site = await makeSite(server.deps, { timezone: "UTC" });
        createGoal(server.deps.db, site.product.id, { name: "Purchase", event: "purchase", currency: "USD" }, now);
        for (const [i, v] of visitors.entries()) {
          now = T0 + i * HOUR;
          const u = `https://${site.domain}/landing${v.source ? `?utm_source=${v.source}` : ""}`;
          const xff = `198.51.100.${i + 1}`;
          expect((await sendPlausible(server.url, { n: "pageview", u, d: site.domain }, { xff })).status).toBe(202);
          for (const [k, r] of v.reports.entries()) {
            now += 60_000;
            const $ = { amount: k % 2 ? String(r.amount) : r.amount, currency: r.currency };
            expect((await sendPlausible(server.url, { n: r.name, u, d: site.domain, $ }, { xff })).status).toBe(202);
          }
        }
        now = T0 + 23 * HOUR;
        await server.deps.queue.flushNow();

        // The naive reference: the purchase goal's USD amounts, in cents, per source.
        const label = (s: Visitor["source"]) => s ?? "Direct / None";
        const bySource = new Map<string, { visitors: number; cents: number; purchases: number }>();
        for (const v of visitors) {
          const g = bySource.get(label(v.source)) ?? { visitors: 0, cents: 0, purchases: 0 };
          g.visitors++;
          for (const r of v.reports) {
            if (r.name !== "purchase" || r.currency !== "USD") continue;
            g.cents += Math.round(r.amount * 100);
            if (r.amount >= 0) g.purchases++;
          }
          bySource.set(label(v.source), g);
        }
        const money = (cents: number) => ({ value: cents / 100, currency: "USD" });
        const expectRow = (visitorsN: number, cents: number, purchases: number, got: unknown[]) => {
          const [v, revenue, p, rpv, total, average] = got as [number, number, number, number, { value: number; currency: string } | null, { value: number } | null];
          expect([v, revenue, p, rpv]).toEqual([visitorsN, cents / 100, purchases, round2(cents / 100 / visitorsN)]);
          const anyPayment = cents !== 0 || purchases > 0;
          if (anyPayment) expect({ value: total!.value, currency: total!.currency }).toEqual(money(cents));
          if (purchases) expect(average!.value).toBe(round2(cents / 100 / purchases));
          else expect(average).toBeNull();
        };
        const metrics = ["visitors", "revenue", "purchases", "rpv", "total_revenue", "average_revenue"];
        const rows = (await query(site.readKey, { site_id: site.domain, metrics, dimensions: ["visit:source"] })).results;
        expect(rows.map((r) => r.dimensions[0]).sort()).toEqual([...bySource.keys()].sort());
        for (const r of rows) {
          const g = bySource.get(r.dimensions[0]!)!;
          expectRow(g.visitors, g.cents, g.purchases, r.metrics);
        }
        const all = [...bySource.values()].reduce((a, g) => ({ visitors: a.visitors + g.visitors, cents: a.cents + g.cents, purchases: a.purchases + g.purchases }), { visitors: 0, cents: 0, purchases: 0 });
        const total = (await query(site.readKey, { site_id: site.domain, metrics })).results;
        expectRow(all.visitors, all.cents, all.purchases, total[0]!.metrics);
      }),
      { numRuns: 10 },
    );
  }, 180_000);

  test("with a payment provider connected, its webhooks are the one source: the browser's amounts stop counting", async () => {
    now = T0;
    const site = await makeSite(server.deps, { timezone: "UTC" });
    createGoal(server.deps.db, site.product.id, { name: "Purchase", event: "purchase", currency: "USD" }, now);
    const u = `https://${site.domain}/checkout`;
    expect((await sendPlausible(server.url, { n: "pageview", u, d: site.domain }, { xff: "198.51.100.9" })).status).toBe(202);
    expect((await sendPlausible(server.url, { n: "purchase", u, d: site.domain, $: { amount: "49.00", currency: "USD" } }, { xff: "198.51.100.9" })).status).toBe(202);
    await server.deps.queue.flushNow();
    const metrics = ["revenue", "purchases", "total_revenue"];
    const before = (await query(site.readKey, { site_id: site.domain, metrics })).results[0]!.metrics;
    expect(before.slice(0, 2)).toEqual([49, 1]);
    expect((before[2] as { long: string }).long).toBe("$49.00");
    setIntegration(server.deps.db, server.deps.config.secret, site.product.id, "stripe", "whsec_browser_revenue_secret", now);
    expect((await query(site.readKey, { site_id: site.domain, metrics })).results[0]!.metrics).toEqual([0, 0, null]);
  });
});
