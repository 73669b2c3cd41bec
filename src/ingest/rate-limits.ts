import type { Config } from "../config";
import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import { tooManyRequests } from "../lib/errors";

/**
 * Ingestion rate limits (NFR-3.1): a token bucket per API key and one per product (all its keys
 * and the tracker together), burst = 2 s worth. One pair per running app, a member of Deps, so
 * the tracking endpoint shares the product bucket (`deps.limits.ingest.product`).
 */
export type IngestLimits = { key: RateLimiter; product: RateLimiter };

export function createIngestLimits(config: Pick<Config, "rateLimits">): IngestLimits {
  const { keyRps, productRps } = config.rateLimits;
  return { key: new RateLimiter(keyRps, keyRps * 2), product: new RateLimiter(productRps, productRps * 2) };
}

/** Throws 429 with Retry-After when the key or its product is over its rate. */
export function takeIngestToken(deps: Pick<Deps, "limits" | "clock">, who: { keyId?: string; productId: string }) {
  const limits = deps.limits.ingest;
  const now = deps.clock.now();
  const wait = Math.max(who.keyId ? limits.key.take(who.keyId, now) : 0, limits.product.take(who.productId, now));
  if (wait > 0) throw tooManyRequests(wait);
}
