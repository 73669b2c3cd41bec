import { Webhook } from "standardwebhooks";
import { badSignature, int, jsonOf, obj, sameBytes, str, upper, visitorOf } from "./hmac";
import type { ParsedDelivery, RevenueEvent, RevenueProvider } from "../types";

/**
 * Polar signs with Standard Webhooks (https://www.standardwebhooks.com/): `webhook-id`,
 * `webhook-timestamp` (5 min tolerance) and `webhook-signature: v1,<base64>` over
 * `${id}.${timestamp}.${body}`. Verified with the `standardwebhooks` package, as Polar's own SDK
 * does — including its quirk: Polar's SDK base64-encodes the secret string as given before
 * handing it over (`@polar-sh/sdk/webhooks` validateEvent), so we do the same; a `whsec_…` secret
 * is already in the standard's form and is used as is.
 *
 * `order.refunded` carries the order's refunded total so far (cumulative).
 */
function webhookFor(secret: string) {
  return new Webhook(secret.startsWith("whsec_") ? secret : Buffer.from(secret, "utf-8").toString("base64"));
}

function verify(req: { raw: Uint8Array; headers: Headers; now: number }, secret: string) {
  const headers = {
    "webhook-id": req.headers.get("webhook-id") ?? "",
    "webhook-timestamp": req.headers.get("webhook-timestamp") ?? "",
    "webhook-signature": req.headers.get("webhook-signature") ?? "",
  };
  if (!headers["webhook-id"] || !headers["webhook-timestamp"] || !headers["webhook-signature"]) throw badSignature("Missing webhook-id, webhook-timestamp or webhook-signature header");
  // The package's verify() checks the timestamp against the real clock; ours decides (a fixed
  // clock in tests), so the package signs what we received and we compare, in constant time.
  const t = Number(headers["webhook-timestamp"]);
  if (!/^\d+$/.test(headers["webhook-timestamp"]) || Math.abs(req.now / 1000 - t) > 300) throw badSignature("webhook-timestamp is more than 5 minutes away from now (a replay?)");
  let expected: Buffer;
  try {
    expected = Buffer.from(webhookFor(secret).sign(headers["webhook-id"], new Date(t * 1000), Buffer.from(req.raw).toString("utf-8")).split(",")[1]!, "base64");
  } catch (err) {
    throw badSignature(`The Polar secret cannot be used: ${(err as Error).message}`);
  }
  // The header lists space-separated `v1,<sig>` entries (several while a secret rotates).
  const given = headers["webhook-signature"].split(" ").flatMap((entry) => {
    const [version, sig] = entry.split(",", 2);
    return version === "v1" && sig ? [Buffer.from(sig, "base64")] : [];
  });
  if (!given.some((g) => sameBytes(g, expected))) throw badSignature("Polar signature does not match (wrong secret, or the body was changed)");
}

const dateMs = (x: unknown) => {
  const t = typeof x === "string" ? Date.parse(x) : NaN;
  return Number.isFinite(t) ? t : 0;
};
const PER_MONTH: Record<string, number> = { month: 1, year: 1 / 12, week: 52 / 12, day: 365 / 12 };

function parse(req: { raw: Uint8Array; headers: Headers }): ParsedDelivery {
  const body = jsonOf(req.raw);
  const type = str(body.type) ?? "";
  const d = obj(body.data);
  const customer = obj(d.customer);
  const base = { customerId: str(customer.id) ?? str(d.customer_id), email: str(customer.email), visitorId: visitorOf(d.metadata), plan: str(obj(d.product).name), subscription: null, refundMode: "delta" as const };
  const id = str(d.id) ?? "";
  const events: RevenueEvent[] = [];
  switch (type) {
    case "order.paid":
      events.push({ ...base, providerEventId: `polar:order:${id}`, kind: "purchase", amountMinor: int(d.total_amount ?? d.amount), currency: upper(d.currency), paidAt: dateMs(d.created_at ?? body.timestamp), orderId: id });
      break;
    case "order.refunded":
      events.push({ ...base, providerEventId: `polar:order:${id}:refunded:${int(d.refunded_amount)}`, kind: "refund", amountMinor: -int(d.refunded_amount), currency: upper(d.currency), paidAt: dateMs(body.timestamp ?? d.modified_at), orderId: id, refundMode: "cumulative" });
      break;
    case "subscription.created":
    case "subscription.updated":
    case "subscription.active":
    case "subscription.canceled":
    case "subscription.uncanceled":
    case "subscription.revoked": {
      const status = (str(d.status) ?? "active").toLowerCase();
      const interval = str(d.recurring_interval) ?? "month";
      const ended = type === "subscription.revoked" || ["canceled", "revoked", "incomplete_expired", "unpaid"].includes(status);
      events.push({
        ...base,
        providerEventId: `polar:subscription:${id}:${type}:${str(d.modified_at) ?? str(body.timestamp) ?? ""}`,
        kind: "subscription",
        amountMinor: 0,
        currency: upper(d.currency),
        paidAt: dateMs(body.timestamp ?? d.modified_at),
        orderId: null,
        subscription: { id, status: ended ? "canceled" : status, mrrMinor: ended ? 0 : Math.round(int(d.amount) * (PER_MONTH[interval] ?? 1)), interval: (interval in PER_MONTH ? interval : "month") as "month" },
      });
      break;
    }
  }
  return { id: req.headers.get("webhook-id") ?? id, type, events };
}

export const polarProvider: RevenueProvider = {
  key: "polar",
  label: "Polar",
  secretHint: "Settings → Webhooks → your endpoint → Secret",
  verify,
  parse,
  sample(secret, now) {
    const id = `msg_litekpi_test_${now}`;
    const body = JSON.stringify({ type: "order.paid", timestamp: new Date(now).toISOString(), data: { id: `litekpi-test-${now}`, total_amount: 100, currency: "usd", metadata: { litekpi_visitor_id: "litekpi-test" }, created_at: new Date(now).toISOString() } });
    const at = new Date(Math.floor(now / 1000) * 1000);
    return { raw: new TextEncoder().encode(body), headers: new Headers({ "webhook-id": id, "webhook-timestamp": String(at.getTime() / 1000), "webhook-signature": webhookFor(secret).sign(id, at, body) }) };
  },
};
