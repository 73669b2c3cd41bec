import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendTrack } from "../web/support";
import { setIntegration } from "../../src/revenue/integrations";
import { getWebSettings, saveWebSettings } from "../../src/web/sites";

/** LTV by first-purchase cohort and by source, from signed Stripe webhooks, against a hand-computed table. */
describe("GET /api/v1/revenue/ltv", () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof makeSite>>;
  let now = Date.UTC(2026, 0, 10, 12);
  const secret = "whsec_ltv_test_secret";
  const stripe = new Stripe("sk_test_x");

  const pay = async (n: number, customer: string, amount: number, visitor?: string) => {
    const payload = JSON.stringify({ id: `evt_${n}`, type: "checkout.session.completed", created: now / 1000, data: { object: { id: `cs_${n}`, mode: "payment", payment_status: "paid", amount_total: amount, currency: "usd", customer, payment_intent: `pi_${n}`, metadata: visitor ? { litekpi_visitor_id: visitor } : {} } } });
    await post(payload);
  };
  const refund = async (n: number, paymentIntent: string, amount: number) =>
    post(JSON.stringify({ id: `evt_r${n}`, type: "refund.created", created: now / 1000, data: { object: { id: `re_${n}`, amount, currency: "usd", payment_intent: paymentIntent, status: "succeeded" } } }));
  const post = async (payload: string) => {
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: now / 1000 });
    const res = await server.fetch(`/api/v1/hooks/stripe/${site.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
    expect(res.status).toBe(200);
  };
  const get = async (by: string) => (await server.fetch(`/api/v1/revenue/ltv?by=${by}`, { headers: { Authorization: `Bearer ${site.readKey}` } })).json();

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    site = await makeSite(server.deps);
    saveWebSettings(server.deps.db, site.product.id, { ...getWebSettings(server.deps.db, site.product.id), mode: "attribution" }, now);
    setIntegration(server.deps.db, server.deps.config.secret, site.product.id, "stripe", secret, now);
    expect((await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: `https://${site.domain}/?utm_source=newsletter`, v: "visitor-c1" })).status).toBe(202);
    now += 3_600_000;
    await pay(1, "c1", 10000, "visitor-c1"); // Jan: c1 100 (newsletter)
    await pay(2, "c2", 20000); // Jan: c2 200 (unattributed)
    now = Date.UTC(2026, 1, 10);
    await pay(3, "c1", 5000); // Feb: c1 50 more
    await refund(1, "pi_2", 5000); // Feb: c2 refunded 50
    await pay(4, "c3", 3000); // Feb: c3 30 (new cohort)
    now = Date.UTC(2026, 2, 15);
  });
  afterAll(() => server.stop());

  test("by cohort: customers of each first-purchase month and their cumulative LTV", async () => {
    expect(await get("cohort")).toEqual({
      currency: "USD",
      cohorts: [
        { cohort: "2026-01", customers: 2, revenue: 300, ltv: 150, byMonth: [150, 150, 150] },
        { cohort: "2026-02", customers: 1, revenue: 30, ltv: 30, byMonth: [30, 30] },
      ],
    });
  });

  test("by source of the first purchase's visit", async () => {
    expect(await get("source")).toEqual({
      currency: "USD",
      sources: [
        { source: "Unattributed", customers: 2, revenue: 180, ltv: 90 },
        { source: "newsletter", customers: 1, revenue: 150, ltv: 150 },
      ],
    });
  });
});

describe("attribution through identify", () => {
  test("a purchase without a visitor id finds the visit of whoever identified with its email", async () => {
    let now = Date.UTC(2026, 3, 2, 10);
    const server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const site = await makeSite(server.deps);
      setIntegration(server.deps.db, server.deps.config.secret, site.product.id, "stripe", "whsec_identify_secret", now);
      const send = (body: Record<string, unknown>) => sendTrack(server.url, { site: site.siteToken, u: `https://${site.domain}/?utm_source=google`, ...body }, { xff: "192.0.2.44" });
      expect((await send({ n: "pageview" })).status).toBe(202);
      expect((await send({ n: "identify", p: { id: "Ann@Example.com" } })).status).toBe(202);
      now += 600_000;
      const payload = JSON.stringify({ id: "evt_i", type: "checkout.session.completed", created: now / 1000, data: { object: { id: "cs_i", mode: "payment", payment_status: "paid", amount_total: 4200, currency: "usd", customer_details: { email: "ann@example.com" } } } });
      const header = await new Stripe("sk_test_x").webhooks.generateTestHeaderStringAsync({ payload, secret: "whsec_identify_secret", timestamp: now / 1000 });
      expect((await server.fetch(`/api/v1/hooks/stripe/${site.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } })).status).toBe(200);
      const res = await server.fetch("/api/v2/query", {
        method: "POST",
        headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ site_id: site.domain, metrics: ["revenue", "purchases", "rpv"], date_range: "day", dimensions: ["visit:source"] }),
      });
      expect((await res.json()).results).toEqual([{ dimensions: ["google"], metrics: [42, 1, 42] }]);
      // identify ties the visitor to a person: not an event (events = the page view alone, as
      // Plausible counts them), no goal, and the visit is still a bounce.
      const web = await server.fetch("/api/v2/query", {
        method: "POST",
        headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ site_id: site.domain, metrics: ["visits", "events", "bounce_rate"], date_range: "day" }),
      });
      expect((await web.json()).results[0].metrics).toEqual([1, 1, 100]);
    } finally {
      await server.stop();
    }
  });
});
