import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { setIntegration } from "../../src/revenue/integrations";

/** A Stripe subscription's life through real signed webhooks → the MRR table, by hand; EUR apart from USD. */
describe("GET /api/v1/revenue/mrr", () => {
  let server: TestServer;
  let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
  const NOW = Date.UTC(2026, 4, 15); // mid May 2026
  const secret = "whsec_mrr_test_secret";
  const stripe = new Stripe("sk_test_x");
  const month = (m: number, day = 5) => Date.UTC(2026, m, day) / 1000;

  const send = async (id: string, type: string, created: number, object: Record<string, unknown>) => {
    const payload = JSON.stringify({ id, type, created, data: { object } });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: NOW / 1000 });
    const res = await server.fetch(`/api/v1/hooks/stripe/${p.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
    expect(res.status).toBe(200);
  };
  const sub = (id: string, amount: number, currency: string, status = "active", interval = "month") => ({
    id,
    status,
    currency,
    customer: "cus_" + id,
    items: { data: [{ quantity: 1, price: { unit_amount: amount, currency, recurring: { interval, interval_count: 1 } } }] },
  });

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => NOW } });
    p = await makeProductWithKeys(server.deps);
    setIntegration(server.deps.db, server.deps.config.secret, p.product.id, "stripe", secret, NOW);
    await send("e1", "customer.subscription.created", month(1), sub("s1", 5000, "usd")); // Feb: new 50
    await send("e2", "customer.subscription.created", month(1, 9), sub("s2", 120000, "eur", "active", "year")); // Feb: EUR new 100/month
    await send("e3", "customer.subscription.updated", month(2), sub("s1", 8000, "usd")); // Mar: +30
    await send("e4", "customer.subscription.updated", month(3), sub("s1", 3000, "usd")); // Apr: -50
    await send("e5", "customer.subscription.deleted", month(4), sub("s1", 3000, "usd", "canceled")); // May: churn 30
    await send("e5", "customer.subscription.deleted", month(4), sub("s1", 3000, "usd", "canceled")); // redelivered: once
    await send("r1", "refund.created", month(4, 6), { id: "re_1", amount: 3000, currency: "usd", status: "succeeded" }); // refunds are not MRR
  });
  afterAll(() => server.stop());

  test("the movements equal the hand-computed table, per currency", async () => {
    const res = await server.fetch("/api/v1/revenue/mrr?months=5", { headers: { Authorization: `Bearer ${p.readKey}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.currencies.USD).toEqual([
      { month: "2026-01", mrr: 0, new: 0, expansion: 0, contraction: 0, churned: 0 },
      { month: "2026-02", mrr: 50, new: 50, expansion: 0, contraction: 0, churned: 0 },
      { month: "2026-03", mrr: 80, new: 0, expansion: 30, contraction: 0, churned: 0 },
      { month: "2026-04", mrr: 30, new: 0, expansion: 0, contraction: 50, churned: 0 },
      { month: "2026-05", mrr: 0, new: 0, expansion: 0, contraction: 0, churned: 30 },
    ]);
    expect(body.currencies.EUR.map((m: { mrr: number }) => m.mrr)).toEqual([0, 100, 100, 100, 100]);
    expect(body.currencies.EUR[1].new).toBe(100);
  });

  test("bad months → 400 naming it; another product's key → 404", async () => {
    const bad = await server.fetch("/api/v1/revenue/mrr?months=0", { headers: { Authorization: `Bearer ${p.readKey}` } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe("months");
    const other = await makeProductWithKeys(server.deps);
    const cross = await server.fetch(`/api/v1/revenue/mrr?product=${p.product.id}`, { headers: { Authorization: `Bearer ${other.readKey}` } });
    expect(cross.status).toBe(404);
  });
});
