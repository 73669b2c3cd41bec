import { arr, badSignature, hmacSha256, int, jsonOf, obj, sameBytes, str, upper, visitorOf } from "./hmac";
import type { ParsedDelivery, RevenueEvent, RevenueProvider, SubscriptionState } from "../types";

/**
 * Stripe (https://docs.stripe.com/webhooks#verify-manually): `Stripe-Signature: t=…,v1=…[,v1=…]`,
 * the HMAC-SHA256 hex of `${t}.${raw body}` keyed with the endpoint secret (`whsec_…`, used as
 * is), within 5 minutes of now. Several v1 entries appear while a secret is being rolled.
 *
 * Quirks, so nothing is counted twice:
 * - A subscription's first payment arrives as both `checkout.session.completed` and
 *   `invoice.paid`; the invoice is the money, the session only ties the customer to the visit.
 * - `invoice.paid` and `invoice.payment_succeeded` both fire for one invoice: the invoice id dedupes.
 * - Refunds: `refund.created` (one refund) and `charge.refunded` (the charge with its refunds):
 *   each refund id is booked once, whichever arrives.
 */
const TOLERANCE_S = 300;

function verify(req: { raw: Uint8Array; headers: Headers; now: number }, secret: string) {
  const header = req.headers.get("stripe-signature");
  if (!header) throw badSignature("Missing Stripe-Signature header");
  let t: number | null = null;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const [k, v] = part.split("=", 2).map((s) => s.trim());
    if (k === "t" && v && /^\d+$/.test(v)) t = Number(v);
    else if (k === "v1" && v && /^[0-9a-f]{64}$/i.test(v)) v1.push(v.toLowerCase());
  }
  if (t === null || v1.length === 0) throw badSignature("Stripe-Signature has no timestamp or v1 signature");
  const expected = hmacSha256(secret, Buffer.concat([Buffer.from(`${t}.`), req.raw]));
  if (!v1.some((sig) => sameBytes(Buffer.from(sig, "hex"), expected))) throw badSignature("Stripe signature does not match (wrong secret, or the body was changed)");
  if (Math.abs(req.now / 1000 - t) > TOLERANCE_S) throw badSignature("Stripe signature timestamp is more than 5 minutes away from now (a replay?)");
}

const PER_MONTH: Record<string, number> = { month: 1, year: 1 / 12, week: 52 / 12, day: 365 / 12 };

function subscriptionOf(sub: Record<string, unknown>, ended: boolean): SubscriptionState {
  let mrr = 0;
  let interval: SubscriptionState["interval"] = null;
  for (const item of arr(obj(sub.items).data)) {
    const price = obj(obj(item).price);
    const recurring = obj(price.recurring);
    const unit = typeof recurring.interval === "string" ? recurring.interval : "month";
    interval = (["month", "year", "week", "day"].includes(unit) ? unit : "month") as SubscriptionState["interval"];
    const count = int(recurring.interval_count) || 1;
    mrr += (int(price.unit_amount) * (int(obj(item).quantity) || 1) * (PER_MONTH[unit] ?? 1)) / count;
  }
  const status = (str(sub.status) ?? "active").toLowerCase();
  const live = !ended && !["canceled", "incomplete_expired", "unpaid"].includes(status);
  return { id: str(sub.id) ?? "", status: ended ? "canceled" : status, mrrMinor: live ? Math.round(mrr) : 0, interval };
}

function parse(req: { raw: Uint8Array }): ParsedDelivery {
  const body = jsonOf(req.raw);
  const type = str(body.type) ?? "";
  const o = obj(obj(body.data).object);
  const at = int(body.created) * 1000;
  const base = { paidAt: at, customerId: str(o.customer), email: null as string | null, plan: null as string | null, orderId: null as string | null, subscription: null, visitorId: null as string | null, refundMode: "delta" as const };
  const events: RevenueEvent[] = [];
  switch (type) {
    case "checkout.session.completed": {
      const visitorId = visitorOf(o.metadata) ?? str(o.client_reference_id);
      const email = str(obj(o.customer_details).email) ?? str(o.customer_email);
      const paid = o.payment_status === "paid";
      if (o.mode === "subscription" || !paid) events.push({ ...base, providerEventId: `stripe:checkout:${str(o.id)}`, kind: "link", amountMinor: 0, currency: upper(o.currency), email, visitorId });
      else events.push({ ...base, providerEventId: `stripe:checkout:${str(o.id)}`, kind: "purchase", amountMinor: int(o.amount_total), currency: upper(o.currency), email, visitorId, plan: str(obj(o.metadata).plan), orderId: str(o.payment_intent) ?? str(o.id) });
      break;
    }
    case "invoice.paid":
    case "invoice.payment_succeeded": {
      if (int(o.amount_paid) === 0) break; // trials and 100 % coupons: nothing was paid
      const line = obj(arr(obj(o.lines).data)[0]);
      const plan = str(obj(line.price).nickname) ?? str(obj(line.price).id) ?? str(line.description);
      events.push({ ...base, providerEventId: `stripe:invoice:${str(o.id)}`, kind: "purchase", amountMinor: int(o.amount_paid), currency: upper(o.currency), email: str(o.customer_email), plan, orderId: str(o.id), visitorId: visitorOf(obj(o.subscription_details).metadata) ?? visitorOf(o.metadata) });
      break;
    }
    case "refund.created": {
      if (o.status === "failed" || o.status === "canceled") break;
      events.push({ ...base, customerId: null, providerEventId: `stripe:refund:${str(o.id)}`, kind: "refund", amountMinor: -int(o.amount), currency: upper(o.currency), orderId: str(o.payment_intent) ?? str(o.charge) });
      break;
    }
    case "charge.refunded": {
      for (const r of arr(obj(o.refunds).data)) {
        const refund = obj(r);
        if (refund.status === "failed" || refund.status === "canceled") continue;
        events.push({ ...base, providerEventId: `stripe:refund:${str(refund.id)}`, kind: "refund", amountMinor: -int(refund.amount), currency: upper(refund.currency ?? o.currency), orderId: str(o.payment_intent) ?? str(o.id) });
      }
      break;
    }
    case "customer.subscription.created":
    case "customer.subscription.updated":
    case "customer.subscription.deleted": {
      const sub = subscriptionOf(o, type === "customer.subscription.deleted");
      const currency = upper(o.currency ?? obj(obj(arr(obj(o.items).data)[0]).price).currency);
      events.push({ ...base, providerEventId: `stripe:event:${str(body.id)}`, kind: "subscription", amountMinor: 0, currency, subscription: sub, visitorId: visitorOf(o.metadata) });
      break;
    }
  }
  return { id: str(body.id) ?? "", type, events };
}

export const stripeProvider: RevenueProvider = {
  key: "stripe",
  label: "Stripe",
  secretHint: "Developers → Webhooks → your endpoint → Signing secret (whsec_…)",
  verify,
  parse,
  sample(secret, now) {
    const t = Math.floor(now / 1000);
    const body = JSON.stringify({ id: `evt_litekpi_test_${t}`, type: "checkout.session.completed", created: t, livemode: false, data: { object: { id: `cs_litekpi_test_${t}`, mode: "payment", payment_status: "paid", amount_total: 100, currency: "usd", metadata: { litekpi_visitor_id: "litekpi-test" } } } });
    const sig = hmacSha256(secret, `${t}.${body}`).toString("hex");
    return { raw: new TextEncoder().encode(body), headers: new Headers({ "Stripe-Signature": `t=${t},v1=${sig}` }) };
  },
};
