import { arr, badSignature, decimalToMinor, hmacSha256, jsonOf, obj, sameBytes, str, upper } from "./hmac";
import type { ParsedDelivery, RevenueEvent, RevenueProvider } from "../types";

/**
 * Shopify (https://shopify.dev/docs/apps/build/webhooks/subscribe/https#step-5-verify-the-webhook):
 * `X-Shopify-Hmac-Sha256` is the base64 HMAC-SHA256 of the raw body keyed with the app's client
 * secret; topic in `X-Shopify-Topic`. No timestamp: replays are stopped by the order and refund ids.
 * Money is a decimal string in the shop's currency ("49.00"). Cart attributes reach the order as
 * `note_attributes` [{ name, value }], where the storefront puts `litekpi_visitor_id`.
 */
function verify(req: { raw: Uint8Array; headers: Headers }, secret: string) {
  const sig = req.headers.get("x-shopify-hmac-sha256")?.trim();
  if (!sig) throw badSignature("Missing X-Shopify-Hmac-Sha256 header");
  if (!sameBytes(Buffer.from(sig, "base64"), hmacSha256(secret, req.raw))) throw badSignature("Shopify signature does not match (wrong secret, or the body was changed)");
}

const dateMs = (x: unknown) => {
  const t = typeof x === "string" ? Date.parse(x) : NaN; // ISO 8601 with an offset
  return Number.isFinite(t) ? t : 0;
};

function visitorFromNotes(order: Record<string, unknown>): string | null {
  for (const a of arr(order.note_attributes)) {
    const attr = obj(a);
    if (attr.name === "litekpi_visitor_id") return str(attr.value);
  }
  const note = typeof order.note === "string" ? /litekpi_visitor_id[=:]\s*([\w-]{1,128})/.exec(order.note) : null;
  return note ? note[1]! : null;
}

function parse(req: { raw: Uint8Array; headers: Headers }): ParsedDelivery {
  const topic = req.headers.get("x-shopify-topic") ?? "";
  const o = jsonOf(req.raw);
  const events: RevenueEvent[] = [];
  const customer = obj(o.customer);
  if (topic === "orders/paid") {
    const currency = upper(o.currency);
    events.push({
      providerEventId: `shopify:order:${str(o.id)}`,
      kind: "purchase",
      amountMinor: decimalToMinor(o.total_price, currency),
      currency,
      paidAt: dateMs(o.processed_at ?? o.created_at),
      customerId: str(customer.id),
      email: str(o.email) ?? str(customer.email),
      plan: str(obj(arr(o.line_items)[0]).title),
      orderId: str(o.id),
      subscription: null,
      visitorId: visitorFromNotes(o),
      refundMode: "delta",
    });
  } else if (topic === "refunds/create") {
    let total = 0;
    let currency = "";
    for (const t of arr(o.transactions)) {
      const tx = obj(t);
      if (tx.kind !== "refund" || tx.status !== "success") continue;
      currency = upper(tx.currency) || currency;
      total += decimalToMinor(tx.amount, currency);
    }
    if (total > 0)
      events.push({ providerEventId: `shopify:refund:${str(o.id)}`, kind: "refund", amountMinor: -total, currency, paidAt: dateMs(o.processed_at ?? o.created_at), customerId: null, email: null, plan: null, orderId: str(o.order_id), subscription: null, visitorId: null, refundMode: "delta" });
  }
  return { id: req.headers.get("x-shopify-webhook-id") ?? str(o.id) ?? "", type: topic, events };
}

export const shopifyProvider: RevenueProvider = {
  key: "shopify",
  label: "Shopify",
  secretHint: "Your app's Client secret (Partners → Apps → API credentials), or Settings → Notifications → Webhooks signing key",
  verify,
  parse,
  sample(secret, now) {
    const body = JSON.stringify({ id: now, total_price: "1.00", currency: "USD", test: true, note_attributes: [{ name: "litekpi_visitor_id", value: "litekpi-test" }], processed_at: new Date(now).toISOString() });
    return { raw: new TextEncoder().encode(body), headers: new Headers({ "X-Shopify-Hmac-Sha256": hmacSha256(secret, body).toString("base64"), "X-Shopify-Topic": "orders/paid" }) };
  },
};
