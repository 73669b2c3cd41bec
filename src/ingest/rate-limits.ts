import type { Config } from "../config";
import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import { tooManyRequests } from "../lib/errors";
import { createQuotaGate, type QuotaGate } from "../ops/quota-gate";

/**
 * Ingestion rate limits (NFR-3.1): a token bucket per API key and one per product (all its keys
 * and the tracker together), burst = 2 s worth. One pair per running app, a member of Deps, so
 * the tracking endpoint shares the product bucket (`deps.limits.ingest.product`). `quota` is the
 * monthly usage limit of products set to pause at it (src/ops/quota-gate.ts), in memory too.
 */
export type IngestLimits = { key: RateLimiter; product: RateLimiter; quota: QuotaGate };

export function createIngestLimits(config: Pick<Config, "rateLimits">): IngestLimits {
  const { keyRps, productRps } = config.rateLimits;
  return { key: new RateLimiter(keyRps, keyRps * 2), product: new RateLimiter(productRps, productRps * 2), quota: createQuotaGate() };
}

/** Throws 429 with Retry-After when the key or its product is over its rate. */
export function takeIngestToken(deps: Pick<Deps, "limits" | "clock">, who: { keyId?: string; productId: string }) {
  const limits = deps.limits.ingest;
  const now = deps.clock.now();
  const wait = Math.max(who.keyId ? limits.key.take(who.keyId, now) : 0, limits.product.take(who.productId, now));
  if (wait > 0) throw tooManyRequests(wait);
  // A paused product past its monthly limit: 429 quota_exceeded (one Map lookup).
  limits.quota.check(who.productId, now);
}
