import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import { tooManyRequests } from "../lib/errors";

/**
 * Ingestion rate limits (NFR-3.1): a token bucket per API key and one per product (all its keys
 * and the tracker together), burst = 2 s worth. One pair per running app, so the tracking
 * endpoint can share the product bucket through `ingestLimits(deps)`.
 */
type Limits = { key: RateLimiter; product: RateLimiter };
const byDeps = new WeakMap<object, Limits>();

export function ingestLimits(deps: Pick<Deps, "config">): Limits {
  let limits = byDeps.get(deps);
  if (!limits) {
    const { keyRps, productRps } = deps.config.rateLimits;
    limits = { key: new RateLimiter(keyRps, keyRps * 2), product: new RateLimiter(productRps, productRps * 2) };
    byDeps.set(deps, limits);
  }
  return limits;
}

/** Throws 429 with Retry-After when the key or its product is over its rate. */
export function takeIngestToken(deps: Pick<Deps, "config" | "clock">, who: { keyId?: string; productId: string }) {
  const limits = ingestLimits(deps);
  const now = deps.clock.now();
  const wait = Math.max(who.keyId ? limits.key.take(who.keyId, now) : 0, limits.product.take(who.productId, now));
  if (wait > 0) throw tooManyRequests(wait);
}
