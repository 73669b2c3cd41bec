/**
 * THE rate limiter: token buckets keyed by string (an API key id, a product id, an IP, an email).
 * `take` answers 0 when allowed, else the whole seconds to wait (for Retry-After).
 * In memory on purpose: one process serves, and a restart forgiving every client is fine.
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private sweepAt = 0;

  /** `perSecond` refill rate; `burst` bucket size. */
  constructor(private readonly perSecond: number, private readonly burst: number) {}

  /** N events per window, e.g. 30 per 15 minutes: a bucket of N refilled over the window. */
  static perWindow(count: number, windowMs: number) {
    return new RateLimiter(count / (windowMs / 1000), count);
  }

  /** What `take` would answer, without taking: 0 when `cost` tokens are there, else the seconds to wait. */
  peek(key: string, now: number, cost = 1): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const tokens = Math.min(this.burst, b.tokens + this.refill(b.at, now));
    return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / this.perSecond));
  }

  take(key: string, now: number, cost = 1): number {
    if (now > this.sweepAt) this.sweep(now);
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.burst, b.tokens + this.refill(b.at, now));
      b.at = Math.max(b.at, now);
    }
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.perSecond));
  }

  /** Tokens earned since `at`; none when the clock went back (an NTP step must not drain a bucket). */
  private refill(at: number, now: number): number {
    return (Math.max(0, now - at) / 1000) * this.perSecond;
  }

  /** Forget full buckets so the map stays small. */
  private sweep(now: number) {
    this.sweepAt = now + 60_000;
    for (const [key, b] of this.buckets) {
      if (b.tokens + this.refill(b.at, now) >= this.burst) this.buckets.delete(key);
    }
  }
}
