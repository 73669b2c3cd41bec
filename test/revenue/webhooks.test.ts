import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { createHmac } from "node:crypto";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { setIntegration } from "../../src/revenue/integrations";
import { runCliProcess } from "../helpers/process";

/**
 * POST /api/v1/hooks/:provider/:productId end to end: signed by the providers' own code, stored
 * once (redeliveries deduplicated), 400 and nothing stored for a bad signature, 404 for what is
 * not set up; the signing secret never on disk in clear.
 */
describe("revenue webhooks", () => {
  let server: TestServer;
  let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
  const NOW = Date.UTC(2026, 2, 10, 12);
  const secrets = { stripe: "whsec_stripe_secret_1234", polar: "polar_whs_polar_secret_5678", shopify: "shpss_shopify_secret_9012", lemonsqueezy: "lemon-signing-secret-3456" };
  const stripe = new Stripe("sk_test_x");
  const rows = () => server.deps.db.$client.query("SELECT provider, provider_event_id, kind, amount_minor, currency, visitor_id FROM revenue_events WHERE product_id = ? ORDER BY seq").all(p.product.id) as Record<string, unknown>[];
  const hook = (provider: string, body: string, headers: Record<string, string>, productId = p.product.id) =>
    server.fetch(`/api/v1/hooks/${provider}/${productId}`, { method: "POST", body, headers: { "Content-Type": "application/json", ...headers } });

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => NOW } });
    p = await makeProductWithKeys(server.deps);
    for (const [provider, secret] of Object.entries(secrets)) setIntegration(server.deps.db, server.deps.config.secret, p.product.id, provider as never, secret, NOW);
  });
  afterAll(() => server.stop());

  const checkout = JSON.stringify({ id: "evt_1", type: "checkout.session.completed", created: NOW / 1000, data: { object: { id: "cs_1", mode: "payment", payment_status: "paid", amount_total: 4900, currency: "usd", customer: "cus_1", metadata: { litekpi_visitor_id: "v-1" } } } });

  test("Stripe: signed → 200 stored once; the redelivery is a duplicate", async () => {
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload: checkout, secret: secrets.stripe, timestamp: NOW / 1000 });
    const first = await hook("stripe", checkout, { "Stripe-Signature": header });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ ok: true, stored: 1, duplicates: 0 });
    const again = await hook("stripe", checkout, { "Stripe-Signature": header });
    expect(await again.json()).toMatchObject({ stored: 0, duplicates: 1 });
    expect(rows()).toEqual([{ provider: "stripe", provider_event_id: "stripe:checkout:cs_1", kind: "purchase", amount_minor: 4900, currency: "USD", visitor_id: "v-1" }]);
  });

  test("tampered body, wrong secret, stale timestamp → 400 and nothing stored", async () => {
    const before = rows().length;
    const other = checkout.replace("cs_1", "cs_2");
    const good = await stripe.webhooks.generateTestHeaderStringAsync({ payload: other, secret: secrets.stripe, timestamp: NOW / 1000 });
    const tampered = await hook("stripe", other.replace("4900", "9900"), { "Stripe-Signature": good });
    const wrong = await hook("stripe", other, { "Stripe-Signature": await stripe.webhooks.generateTestHeaderStringAsync({ payload: other, secret: "whsec_wrong", timestamp: NOW / 1000 }) });
    const stale = await hook("stripe", other, { "Stripe-Signature": await stripe.webhooks.generateTestHeaderStringAsync({ payload: other, secret: secrets.stripe, timestamp: NOW / 1000 - 600 }) });
    for (const res of [tampered, wrong, stale]) {
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe("invalid_signature");
    }
    expect(rows().length).toBe(before);
  });

  test("unknown provider, unknown product, provider not set up → 404", async () => {
    const other = await makeProductWithKeys(server.deps);
    expect((await hook("paypal", checkout, {})).status).toBe(404);
    expect((await hook("stripe", checkout, {}, "nope")).status).toBe(404);
    expect((await hook("stripe", checkout, {}, other.product.id)).status).toBe(404);
  });

  test("Polar: cumulative refunds are booked as their differences, redeliveries once", async () => {
    const wh = new Webhook(Buffer.from(secrets.polar, "utf-8").toString("base64"));
    const send = async (msgId: string, body: object) => {
      const raw = JSON.stringify(body);
      const at = new Date(NOW);
      return hook("polar", raw, { "webhook-id": msgId, "webhook-timestamp": String(NOW / 1000), "webhook-signature": wh.sign(msgId, at, raw) });
    };
    expect((await send("m1", { type: "order.paid", timestamp: "2026-03-10T12:00:00Z", data: { id: "o1", total_amount: 3000, currency: "eur", created_at: "2026-03-10T12:00:00Z" } })).status).toBe(200);
    expect((await send("m2", { type: "order.refunded", timestamp: "2026-03-10T12:00:00Z", data: { id: "o1", refunded_amount: 500, currency: "eur" } })).status).toBe(200);
    expect((await send("m3", { type: "order.refunded", timestamp: "2026-03-10T12:00:00Z", data: { id: "o1", refunded_amount: 1200, currency: "eur" } })).status).toBe(200);
    expect((await send("m3", { type: "order.refunded", timestamp: "2026-03-10T12:00:00Z", data: { id: "o1", refunded_amount: 1200, currency: "eur" } })).status).toBe(200);
    const polar = rows().filter((r) => r.provider === "polar");
    expect(polar.map((r) => r.amount_minor)).toEqual([3000, -500, -700]);
  });

  test("Shopify and Lemon Squeezy signed by their schemes are stored", async () => {
    const order = JSON.stringify({ id: 7, total_price: "12.50", currency: "GBP", note_attributes: [{ name: "litekpi_visitor_id", value: "v-s" }], processed_at: "2026-03-10T12:00:00Z" });
    expect((await hook("shopify", order, { "X-Shopify-Hmac-Sha256": getHmac(order, secrets.shopify), "X-Shopify-Topic": "orders/paid" })).status).toBe(200);
    const ls = JSON.stringify({ meta: { event_name: "order_created" }, data: { id: "99", attributes: { status: "paid", total: 1500, currency: "USD", created_at: "2026-03-10T12:00:00Z" } } });
    expect((await hook("lemonsqueezy", ls, { "X-Signature": createHmac("sha256", secrets.lemonsqueezy).update(ls).digest("hex") })).status).toBe(200);
    const got = rows().filter((r) => r.provider === "shopify" || r.provider === "lemonsqueezy").map((r) => [r.provider, r.amount_minor, r.currency]);
    expect(got).toEqual([
      ["shopify", 1250, "GBP"],
      ["lemonsqueezy", 1500, "USD"],
    ]);
  });

  test("signing secrets are sealed: not in the database file in clear", async () => {
    server.deps.db.$client.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const file = readFileSync(join(server.dataDir, "litekpi.db")).toString("latin1");
    for (const s of Object.values(secrets)) expect(file.includes(s)).toBe(false);
  });
});

describe("litekpi integrations set", () => {
  test("prints the URL to paste; a bad provider exits 1 naming the field", async () => {
    const server = await startTestServer();
    try {
      const p = await makeProductWithKeys(server.deps);
      const dir = server.dataDir;
      const ok = await runCliProcess(["integrations", "set", "--product", p.product.id, "--provider", "Stripe", "--secret", "whsec_abcdefgh", "--json"], { DATA_DIR: dir, BASE_URL: "https://kpi.example.com" });
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout).url).toBe(`https://kpi.example.com/api/v1/hooks/stripe/${p.product.id}`);
      const bad = await runCliProcess(["integrations", "set", "--product", p.product.id, "--provider", "paypal", "--secret", "whsec_abcdefgh", "--json"], { DATA_DIR: dir });
      expect(bad.code).toBe(1);
      expect(JSON.parse(bad.stderr || bad.stdout)).toMatchObject({ field: "provider" });
    } finally {
      await server.stop();
    }
  });
});
