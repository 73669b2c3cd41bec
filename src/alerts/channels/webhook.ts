import * as v from "valibot";
import { checkOutboundUrl } from "../../outbound/guard";
import { open, seal } from "../../lib/secret-box";
import { newWebhookSecret, signedHeaders } from "../../webhooks/signer";
import { postJson } from "../../webhooks/send";
import type { ChannelKind } from "./kind";
import { looksMasked, maskUrl, sameMaskedUrl } from "../../outbound/mask";

/**
 * A generic webhook: the payload as JSON, signed by THE signer (src/webhooks/signer.ts, Standard
 * Webhooks headers) and sent through THE guard (src/webhooks/send.ts). The id is the
 * notification's, the same on every retry, so a receiver can drop a repeat. The secret
 * (`whsec_` + base64 of 24 random bytes) is shown once when the channel is created and kept
 * sealed (AES-256-GCM, src/lib/secret-box.ts); a channel saved again with the same URL keeps it.
 * The URL is shown masked (src/outbound/mask.ts): user:password@ and query values hidden.
 */
export const SECRET_PURPOSE = "alert-webhook-secret";

export const webhook: ChannelKind<{ type: "webhook"; url: string }> = {
  type: "webhook",
  label: "Webhook",
  schema: v.strictObject({ type: v.literal("webhook"), url: v.pipe(v.string("url is the webhook's address"), v.maxLength(2000, "url is at most 2000 characters")) }),
  async prepare(input, ctx) {
    // The URL as shown (masked: a token in it hidden) stands for this channel's stored one.
    const shown = looksMasked(input.url) && ctx.existing.find((c) => c.type === "webhook" && c.secretSealed && sameMaskedUrl(input.url, String(c.config.url)));
    if (shown) return { config: shown.config, secretSealed: shown.secretSealed, keepId: shown.id };
    const { url } = await checkOutboundUrl(input.url, { allow: ctx.allow, resolve: ctx.resolve, field: `${ctx.field}.url` });
    const same = ctx.existing.find((c) => c.type === "webhook" && c.config.url === url.href && c.secretSealed);
    if (same) return { config: { url: url.href }, secretSealed: same.secretSealed, keepId: same.id };
    const secret = newWebhookSecret();
    return { config: { url: url.href }, secretSealed: seal(ctx.secret, SECRET_PURPOSE, secret), shownSecret: secret };
  },
  present: (ch) => ({ id: ch.id, type: "webhook", url: maskUrl(String(ch.config.url)) }),
  async deliver(deps, d) {
    const body = JSON.stringify(d.payload);
    const secret = open(deps.config.secret, SECRET_PURPOSE, d.channel.secretSealed!);
    const headers = signedHeaders([secret], d.notificationId, new Date(deps.clock.now()), body);
    return postJson(String(d.channel.config.url), headers, body, { allow: deps.config.outboundAllow });
  },
};
