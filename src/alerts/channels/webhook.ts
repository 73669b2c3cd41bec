import * as v from "valibot";
import { Webhook } from "standardwebhooks";
import { checkOutboundUrl, fetchOutbound, OutboundError } from "../../outbound/guard";
import { open, seal } from "../../lib/secret-box";
import { DeliveryError, httpFailure, type ChannelKind } from "./kind";

/**
 * A generic webhook: the payload as JSON, signed with Standard Webhooks headers
 * (https://www.standardwebhooks.com/: webhook-id, webhook-timestamp, webhook-signature "v1,…"),
 * signed by the `standardwebhooks` reference library so any of its verifiers accepts it. The id
 * is the notification's, the same on every retry, so a receiver can drop a repeat. The secret
 * (`whsec_` + base64 of 24 random bytes) is shown once when the channel is created and kept
 * sealed (AES-256-GCM, src/lib/secret-box.ts); a channel saved again with the same URL keeps it.
 */
export const SECRET_PURPOSE = "alert-webhook-secret";

export const newWebhookSecret = () => `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;

export const webhook: ChannelKind<{ type: "webhook"; url: string }> = {
  type: "webhook",
  label: "Webhook",
  schema: v.strictObject({ type: v.literal("webhook"), url: v.pipe(v.string("url is the webhook's address"), v.maxLength(2000, "url is at most 2000 characters")) }),
  async prepare(input, ctx) {
    const { url } = await checkOutboundUrl(input.url, { allow: ctx.allow, resolve: ctx.resolve, field: `${ctx.field}.url` });
    const same = ctx.existing.find((c) => c.type === "webhook" && c.config.url === url.href && c.secretSealed);
    if (same) return { config: { url: url.href }, secretSealed: same.secretSealed, keepId: same.id };
    const secret = newWebhookSecret();
    return { config: { url: url.href }, secretSealed: seal(ctx.secret, SECRET_PURPOSE, secret), shownSecret: secret };
  },
  present: (ch) => ({ id: ch.id, type: "webhook", url: ch.config.url }),
  async deliver(deps, d) {
    const body = JSON.stringify(d.payload);
    const secret = open(deps.config.secret, SECRET_PURPOSE, d.channel.secretSealed!);
    const at = new Date(deps.clock.now());
    const signature = new Webhook(secret).sign(d.notificationId, at, body);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "LiteKPI-Webhooks/1",
      "webhook-id": d.notificationId,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    };
    return post(String(d.channel.config.url), headers, body, deps.config.outboundAllow);
  },
};

/** POST through THE guard; a non-2xx answer is a DeliveryError (permanent for most 4xx). */
export async function post(url: string, headers: Record<string, string>, body: string, allow: Parameters<typeof fetchOutbound>[2]["allow"]) {
  try {
    const res = await fetchOutbound(url, { method: "POST", headers, body }, { allow });
    if (res.status < 200 || res.status >= 300) throw httpFailure(res.status, res.body);
    return { statusCode: res.status };
  } catch (err) {
    if (err instanceof OutboundError) throw new DeliveryError(err.message, err.permanent, err.status, { cause: err });
    throw err;
  }
}
