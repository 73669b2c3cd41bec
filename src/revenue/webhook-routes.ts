import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { readIngestBody } from "../ingest/body";
import { badRequest, notFound } from "../lib/errors";
import { getProduct } from "../products/products";
import { isProviderKey, PROVIDERS } from "./providers";
import { markReceived, signingSecret } from "./integrations";

/**
 * `POST /api/v1/hooks/{stripe|lemonsqueezy|polar|shopify}/:productId` (DESIGN.md "Revenue"):
 * public, authenticated only by the provider's signature, which is checked on the raw bytes
 * before anything else is read. Answered 200 only after the writer committed the events
 * (providers retry anything else, and a redelivery is deduplicated by its event id).
 */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export function webhookRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.post("/api/v1/hooks/:provider/:productId", async (c) => {
    const key = c.req.param("provider");
    const productId = c.req.param("productId");
    // Unknown provider, product or integration: one answer, so nothing tells them apart.
    if (!isProviderKey(key) || !getProduct(deps.db, productId)) throw notFound("No such webhook endpoint");
    const secret = signingSecret(deps.db, deps.config.secret, productId, key);
    if (!secret) throw notFound("No such webhook endpoint");
    const { bytes } = await readIngestBody(c.req.raw, (message) => badRequest("invalid_body", message), { maxBytes: MAX_WEBHOOK_BYTES });
    const now = deps.clock.now();
    const request = { raw: bytes, headers: c.req.raw.headers, now };
    const provider = PROVIDERS[key];
    provider.verify(request, secret);
    const delivery = provider.parse(request);
    const stored = delivery.events.length ? await deps.queue.submitRevenue(productId, key, delivery.events) : { accepted: 0, duplicates: 0 };
    markReceived(deps.db, productId, key, now);
    deps.log.info("revenue webhook", { productId, provider: key, type: delivery.type, stored: stored.accepted, duplicates: stored.duplicates });
    return c.json({ ok: true, type: delivery.type, stored: stored.accepted, duplicates: stored.duplicates });
  });
  return app;
}
