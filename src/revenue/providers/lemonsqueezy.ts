import { badSignature, hmacSha256, int, jsonOf, obj, sameBytes, str, upper, visitorOf } from "./hmac";
import type { ParsedDelivery, RevenueEvent, RevenueProvider } from "../types";

/**
 * Lemon Squeezy (https://docs.lemonsqueezy.com/help/webhooks/signing-requests): `X-Signature` is
 * the HMAC-SHA256 hex of the raw body keyed with the webhook's signing secret; there is no
 * timestamp, so replays are stopped by the delivery's ids alone. Checkout `custom` data comes back
 * as `meta.custom_data`.
 *
 * Quirks: a subscription's first payment fires `order_created` and `subscription_payment_success`
 * (billing_reason "initial"): only the order is booked, renewals come from the invoices.
 * `order_refunded` carries the order's refunded total so far (cumulative). Subscription objects
 * carry no price, so their MRR is unknown (null) unless a payment tells it.
 */
function verify(req: { raw: Uint8Array; headers: Headers }, secret: string) {
  const sig = req.headers.get("x-signature")?.trim().toLowerCase();
  if (!sig || !/^[0-9a-f]{64}$/.test(sig)) throw badSignature("Missing or malformed X-Signature header");
  if (!sameBytes(Buffer.from(sig, "hex"), hmacSha256(secret, req.raw))) throw badSignature("Lemon Squeezy signature does not match (wrong secret, or the body was changed)");
}

const dateMs = (x: unknown) => {
  const t = typeof x === "string" ? Date.parse(x) : NaN; // provider timestamps carry their zone (ISO 8601 with Z)
  return Number.isFinite(t) ? t : 0;
};

function parse(req: { raw: Uint8Array; headers: Headers }): ParsedDelivery {
  const body = jsonOf(req.raw);
  const meta = obj(body.meta);
  const type = str(meta.event_name) ?? req.headers.get("x-event-name") ?? "";
  const data = obj(body.data);
  const a = obj(data.attributes);
  const id = str(data.id) ?? "";
  const visitorId = visitorOf(meta.custom_data);
  const base = { customerId: str(a.customer_id), email: str(a.user_email), visitorId, subscription: null, refundMode: "delta" as const };
  const events: RevenueEvent[] = [];
  const item = obj(a.first_order_item);
  const plan = [str(item.product_name) ?? str(a.product_name), str(item.variant_name) ?? str(a.variant_name)].filter(Boolean).join(" — ") || null;
  switch (type) {
    case "order_created":
      if (a.status === "paid")
        events.push({ ...base, providerEventId: `lemonsqueezy:order:${id}`, kind: "purchase", amountMinor: int(a.total), currency: upper(a.currency), paidAt: dateMs(a.created_at), plan, orderId: id });
      break;
    case "order_refunded":
      events.push({ ...base, providerEventId: `lemonsqueezy:order:${id}:refunded:${int(a.refunded_amount)}`, kind: "refund", amountMinor: -int(a.refunded_amount), currency: upper(a.currency), paidAt: dateMs(a.refunded_at ?? a.updated_at), plan, orderId: id, refundMode: "cumulative" });
      break;
    case "subscription_payment_success":
      if (a.billing_reason !== "initial" && a.status === "paid")
        events.push({ ...base, providerEventId: `lemonsqueezy:invoice:${id}`, kind: "purchase", amountMinor: int(a.total), currency: upper(a.currency), paidAt: dateMs(a.created_at), plan, orderId: id });
      break;
    case "subscription_created":
    case "subscription_updated":
    case "subscription_cancelled":
    case "subscription_expired":
    case "subscription_resumed":
    case "subscription_paused": {
      const status = (str(a.status) ?? "active").toLowerCase();
      events.push({
        ...base,
        providerEventId: `lemonsqueezy:subscription:${id}:${type}:${str(a.updated_at) ?? ""}`,
        kind: "subscription",
        amountMinor: 0,
        currency: "",
        paidAt: dateMs(a.updated_at ?? a.created_at),
        plan,
        orderId: str(a.order_id),
        subscription: { id, status, mrrMinor: status === "expired" ? 0 : null, interval: null },
      });
      break;
    }
  }
  return { id: `${type}:${id}`, type, events };
}

export const lemonSqueezyProvider: RevenueProvider = {
  key: "lemonsqueezy",
  label: "Lemon Squeezy",
  secretHint: "Settings → Webhooks → your webhook → Signing secret",
  verify,
  parse,
  sample(secret, now) {
    const body = JSON.stringify({ meta: { event_name: "order_created", test_mode: true, custom_data: { litekpi_visitor_id: "litekpi-test" } }, data: { id: `litekpi-test-${now}`, type: "orders", attributes: { status: "paid", total: 100, currency: "USD", created_at: new Date(now).toISOString() } } });
    return { raw: new TextEncoder().encode(body), headers: new Headers({ "X-Signature": hmacSha256(secret, body).toString("hex"), "X-Event-Name": "order_created" }) };
  },
};
