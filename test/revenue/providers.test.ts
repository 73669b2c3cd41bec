import { describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { Webhook } from "standardwebhooks";
import { getHmac } from "@shopify/shopify-api/test-helpers";
import { createHmac } from "node:crypto";
import { PROVIDERS } from "../../src/revenue/providers";
import type { WebhookRequest } from "../../src/revenue/types";

/**
 * Each provider's verifier against payloads signed by the provider's own code where it exists
 * (stripe's generateTestHeaderStringAsync, standardwebhooks for Polar, Shopify's getHmac); Lemon
 * Squeezy with node:crypto as its docs sign. Valid → parsed; tampered body, wrong secret, stale
 * timestamp → 400 invalid_signature.
 */
const enc = (s: string) => new TextEncoder().encode(s);
const NOW = Date.UTC(2026, 2, 10, 12);
const req = (body: string, headers: Record<string, string>, now = NOW): WebhookRequest => ({ raw: enc(body), headers: new Headers(headers), now });
const refused = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return (e as { status?: number; code?: string }).code === "invalid_signature" && (e as { status?: number }).status === 400;
  }
  return false;
};

describe("Stripe", () => {
  const stripe = new Stripe("sk_test_x");
  const secret = "whsec_test_secret";
  const session = JSON.stringify({
    id: "evt_1",
    type: "checkout.session.completed",
    created: NOW / 1000,
    data: { object: { id: "cs_1", mode: "payment", payment_status: "paid", amount_total: 4900, currency: "usd", customer: "cus_1", customer_details: { email: "a@example.com" }, metadata: { litekpi_visitor_id: "v-123" }, payment_intent: "pi_1" } },
  });
  const sign = (payload: string, s = secret, timestamp = NOW / 1000) => stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: s, timestamp });

  test("a signed checkout is a purchase in minor units with its visitor", async () => {
    const r = req(session, { "Stripe-Signature": await sign(session) });
    PROVIDERS.stripe.verify(r, secret);
    const parsed = PROVIDERS.stripe.parse(r);
    expect(parsed.events).toEqual([
      expect.objectContaining({ providerEventId: "stripe:checkout:cs_1", kind: "purchase", amountMinor: 4900, currency: "USD", customerId: "cus_1", email: "a@example.com", visitorId: "v-123", paidAt: NOW }),
    ]);
  });

  test("tampered body, wrong secret, stale or future timestamp, no header → refused", async () => {
    const header = await sign(session);
    expect(refused(() => PROVIDERS.stripe.verify(req(session.replace("4900", "9900"), { "Stripe-Signature": header }), secret))).toBe(true);
    expect(refused(() => PROVIDERS.stripe.verify(req(session, { "Stripe-Signature": header }), "whsec_other"))).toBe(true);
    const old = await sign(session, secret, NOW / 1000 - 301);
    expect(refused(() => PROVIDERS.stripe.verify(req(session, { "Stripe-Signature": old }), secret))).toBe(true);
    const future = await sign(session, secret, NOW / 1000 + 301);
    expect(refused(() => PROVIDERS.stripe.verify(req(session, { "Stripe-Signature": future }), secret))).toBe(true);
    expect(refused(() => PROVIDERS.stripe.verify(req(session, {}), secret))).toBe(true);
  });

  test("a subscription's first payment is booked once: the invoice; invoice.paid and payment_succeeded share its id", async () => {
    const sub = JSON.stringify({ id: "evt_2", type: "checkout.session.completed", created: NOW / 1000, data: { object: { id: "cs_2", mode: "subscription", payment_status: "paid", amount_total: 2000, currency: "eur", customer: "cus_2", client_reference_id: "v-9" } } });
    expect(PROVIDERS.stripe.parse(req(sub, {})).events.map((e) => [e.kind, e.amountMinor, e.visitorId])).toEqual([["link", 0, "v-9"]]);
    const invoice = (type: string) => JSON.stringify({ id: `evt_${type}`, type, created: NOW / 1000, data: { object: { id: "in_1", amount_paid: 2000, currency: "eur", customer: "cus_2", lines: { data: [{ price: { id: "price_pro", nickname: "Pro" } }] } } } });
    const a = PROVIDERS.stripe.parse(req(invoice("invoice.paid"), {})).events;
    const b = PROVIDERS.stripe.parse(req(invoice("invoice.payment_succeeded"), {})).events;
    expect(a[0]!.providerEventId).toBe(b[0]!.providerEventId);
    expect(a[0]).toMatchObject({ kind: "purchase", amountMinor: 2000, currency: "EUR", plan: "Pro" });
  });

  test("subscription MRR: yearly ÷ 12 × quantity; deleted → 0", () => {
    const sub = (type: string, status = "active") =>
      JSON.stringify({ id: "evt_s", type, created: NOW / 1000, data: { object: { id: "sub_1", status, currency: "usd", customer: "cus_3", items: { data: [{ quantity: 2, price: { unit_amount: 12000, recurring: { interval: "year", interval_count: 1 } } }] } } } });
    expect(PROVIDERS.stripe.parse(req(sub("customer.subscription.created"), {})).events[0]!.subscription).toEqual({ id: "sub_1", status: "active", mrrMinor: 2000, interval: "year" });
    expect(PROVIDERS.stripe.parse(req(sub("customer.subscription.deleted", "canceled"), {})).events[0]!.subscription!.mrrMinor).toBe(0);
  });

  test("a refund is negative and one refund id is booked once whichever event brings it", () => {
    const created = JSON.stringify({ id: "evt_r1", type: "refund.created", created: NOW / 1000, data: { object: { id: "re_1", amount: 900, currency: "usd", payment_intent: "pi_1", status: "succeeded" } } });
    const charge = JSON.stringify({ id: "evt_r2", type: "charge.refunded", created: NOW / 1000, data: { object: { id: "ch_1", payment_intent: "pi_1", currency: "usd", refunds: { data: [{ id: "re_1", amount: 900, currency: "usd", status: "succeeded" }] } } } });
    const a = PROVIDERS.stripe.parse(req(created, {})).events;
    const b = PROVIDERS.stripe.parse(req(charge, {})).events;
    expect(a.map((e) => [e.providerEventId, e.amountMinor])).toEqual([["stripe:refund:re_1", -900]]);
    expect(b.map((e) => [e.providerEventId, e.amountMinor])).toEqual([["stripe:refund:re_1", -900]]);
  });
});

describe("Polar (Standard Webhooks)", () => {
  const secret = "polar_whs_abcdefghijklmnop";
  const body = JSON.stringify({ type: "order.paid", timestamp: "2026-03-10T12:00:00Z", data: { id: "ord_1", total_amount: 1900, currency: "usd", customer: { id: "c1", email: "p@example.com" }, metadata: { litekpi_visitor_id: "v-7" }, product: { name: "Pro" }, created_at: "2026-03-10T12:00:00Z" } });
  // As Polar's SDK does: the secret string, base64-encoded, is the Standard Webhooks key.
  const wh = new Webhook(Buffer.from(secret, "utf-8").toString("base64"));
  const headers = (id = "msg_1", at = new Date(NOW), payload = body) => ({ "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": wh.sign(id, at, payload) });

  test("signed by standardwebhooks → an attributed purchase", () => {
    const r = req(body, headers());
    PROVIDERS.polar.verify(r, secret);
    expect(PROVIDERS.polar.parse(r).events[0]).toMatchObject({ providerEventId: "polar:order:ord_1", kind: "purchase", amountMinor: 1900, currency: "USD", visitorId: "v-7", plan: "Pro", email: "p@example.com" });
  });

  test("a whsec_ secret is taken in the standard's own form", () => {
    const key = "whsec_" + Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
    const std = new Webhook(key);
    const at = new Date(NOW);
    const r = req(body, { "webhook-id": "m", "webhook-timestamp": String(NOW / 1000), "webhook-signature": std.sign("m", at, body) });
    expect(() => PROVIDERS.polar.verify(r, key)).not.toThrow();
  });

  test("tampered, wrong secret, stale, missing headers → refused", () => {
    expect(refused(() => PROVIDERS.polar.verify(req(body.replace("1900", "9900"), headers()), secret))).toBe(true);
    expect(refused(() => PROVIDERS.polar.verify(req(body, headers()), secret + "x"))).toBe(true);
    expect(refused(() => PROVIDERS.polar.verify(req(body, headers("msg_1", new Date(NOW - 301_000))), secret))).toBe(true);
    expect(refused(() => PROVIDERS.polar.verify(req(body, {}), secret))).toBe(true);
  });

  test("refunds are cumulative; a revoked subscription has no MRR", () => {
    const refund = JSON.stringify({ type: "order.refunded", timestamp: "2026-03-11T00:00:00Z", data: { id: "ord_1", refunded_amount: 500, currency: "usd" } });
    expect(PROVIDERS.polar.parse(req(refund, {})).events[0]).toMatchObject({ kind: "refund", amountMinor: -500, refundMode: "cumulative", orderId: "ord_1" });
    const sub = (type: string, status: string) => JSON.stringify({ type, timestamp: "2026-03-11T00:00:00Z", data: { id: "s1", status, amount: 12000, currency: "usd", recurring_interval: "year" } });
    expect(PROVIDERS.polar.parse(req(sub("subscription.active", "active"), {})).events[0]!.subscription).toMatchObject({ mrrMinor: 1000, interval: "year" });
    expect(PROVIDERS.polar.parse(req(sub("subscription.revoked", "canceled"), {})).events[0]!.subscription!.mrrMinor).toBe(0);
  });
});

describe("Shopify", () => {
  const secret = "shpss_secret";
  const order = JSON.stringify({ id: 820982911946154500, total_price: "49.90", currency: "EUR", email: "s@example.com", customer: { id: 115310627314723950 }, note_attributes: [{ name: "litekpi_visitor_id", value: "v-42" }], line_items: [{ title: "Mug" }], processed_at: "2026-03-10T13:00:00+01:00" });
  test("signed with Shopify's getHmac → purchase in minor units from the decimal string", () => {
    const r = req(order, { "X-Shopify-Hmac-Sha256": getHmac(order, secret), "X-Shopify-Topic": "orders/paid", "X-Shopify-Webhook-Id": "wh-1" });
    PROVIDERS.shopify.verify(r, secret);
    expect(PROVIDERS.shopify.parse(r).events[0]).toMatchObject({ kind: "purchase", amountMinor: 4990, currency: "EUR", visitorId: "v-42", plan: "Mug", paidAt: Date.UTC(2026, 2, 10, 12) });
  });
  test("tampered or wrong secret → refused", () => {
    const header = { "X-Shopify-Hmac-Sha256": getHmac(order, secret), "X-Shopify-Topic": "orders/paid" };
    expect(refused(() => PROVIDERS.shopify.verify(req(order.replace("49.90", "4.90"), header), secret))).toBe(true);
    expect(refused(() => PROVIDERS.shopify.verify(req(order, header), "other"))).toBe(true);
  });
  test("a refund sums its successful refund transactions", () => {
    const refund = JSON.stringify({ id: 1, order_id: 2, transactions: [{ kind: "refund", status: "success", amount: "10.50", currency: "EUR" }, { kind: "refund", status: "failure", amount: "5.00", currency: "EUR" }] });
    expect(PROVIDERS.shopify.parse(req(refund, { "X-Shopify-Topic": "refunds/create" })).events[0]).toMatchObject({ kind: "refund", amountMinor: -1050, currency: "EUR" });
  });
});

describe("Lemon Squeezy", () => {
  const secret = "ls-signing-secret";
  const body = JSON.stringify({ meta: { event_name: "order_created", custom_data: { litekpi_visitor_id: "v-5" } }, data: { id: "1001", type: "orders", attributes: { status: "paid", total: 2900, currency: "USD", user_email: "l@example.com", customer_id: 77, created_at: "2026-03-10T12:00:00.000000Z", first_order_item: { product_name: "Course", variant_name: "Lifetime" } } } });
  // As the docs sign it: hex HMAC-SHA256 of the raw body with the signing secret.
  const sig = (b: string, s = secret) => createHmac("sha256", s).update(b).digest("hex");
  test("signed → purchase with custom_data's visitor", () => {
    const r = req(body, { "X-Signature": sig(body), "X-Event-Name": "order_created" });
    PROVIDERS.lemonsqueezy.verify(r, secret);
    expect(PROVIDERS.lemonsqueezy.parse(r).events[0]).toMatchObject({ kind: "purchase", amountMinor: 2900, currency: "USD", visitorId: "v-5", plan: "Course — Lifetime", customerId: "77", paidAt: NOW });
  });
  test("a published HMAC-SHA256 vector verifies, one changed hex digit does not", () => {
    // HMAC_SHA256("key", "The quick brown fox jumps over the lazy dog"), the well-known test vector.
    const fox = "The quick brown fox jumps over the lazy dog";
    const good = "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8";
    expect(() => PROVIDERS.lemonsqueezy.verify(req(fox, { "X-Signature": good }), "key")).not.toThrow();
    expect(refused(() => PROVIDERS.lemonsqueezy.verify(req(fox, { "X-Signature": good.replace(/8$/, "9") }), "key"))).toBe(true);
  });
  test("tampered or wrong secret → refused; the first subscription invoice is not booked twice", () => {
    expect(refused(() => PROVIDERS.lemonsqueezy.verify(req(body.replace("2900", "290"), { "X-Signature": sig(body) }), secret))).toBe(true);
    expect(refused(() => PROVIDERS.lemonsqueezy.verify(req(body, { "X-Signature": sig(body, "x") }), secret))).toBe(true);
    const invoice = (reason: string) => JSON.stringify({ meta: { event_name: "subscription_payment_success" }, data: { id: "9", type: "subscription-invoices", attributes: { billing_reason: reason, status: "paid", total: 900, currency: "USD" } } });
    expect(PROVIDERS.lemonsqueezy.parse(req(invoice("initial"), {})).events).toEqual([]);
    expect(PROVIDERS.lemonsqueezy.parse(req(invoice("renewal"), {})).events[0]).toMatchObject({ kind: "purchase", amountMinor: 900 });
  });
});
