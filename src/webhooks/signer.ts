import { Webhook } from "standardwebhooks";

/**
 * THE signer of every webhook LiteKPI sends (alert webhook channels and product webhooks):
 * Standard Webhooks (https://www.standardwebhooks.com/) headers `webhook-id`,
 * `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`), computed by the `standardwebhooks` reference library so any of its
 * verifiers accepts them. With several secrets (a rotation in progress) the signatures are
 * space-separated, which the spec allows so a receiver holding either secret verifies.
 */
export const newWebhookSecret = () => `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64")}`;

export const USER_AGENT = "LiteKPI-Webhooks/1";

export function signedHeaders(secrets: string[], id: string, at: Date, body: string): Record<string, string> {
  return {
    "Content-Type": "application/json",
    "User-Agent": USER_AGENT,
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(id, at, body)).join(" "),
  };
}

/** What a secret looks like on a page after it was shown once: the prefix and the last 4 characters. */
export const maskSecret = (secret: string) => `whsec_…${secret.slice(-4)}`;
