import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import { normalizeEmail } from "./users";

/**
 * Brute-force and mail-bombing brakes on login, registration, reset and resend requests:
 * RATE_LIMIT_AUTH_PER_IP attempts per client IP and RATE_LIMIT_AUTH_PER_EMAIL per address, each
 * per 15 minutes (token buckets, so a burst is allowed and the allowance refills steadily).
 * One pair per running app (keyed on deps), however many times createApp is called.
 */
const WINDOW_MS = 15 * 60_000;
type Limits = { ip: RateLimiter; email: RateLimiter };
const byDeps = new WeakMap<object, Limits>();

function authLimits(deps: Pick<Deps, "config">): Limits {
  let limits = byDeps.get(deps);
  if (!limits) {
    const { authPerIp, authPerEmail } = deps.config.rateLimits;
    limits = { ip: RateLimiter.perWindow(authPerIp, WINDOW_MS), email: RateLimiter.perWindow(authPerEmail, WINDOW_MS) };
    byDeps.set(deps, limits);
  }
  return limits;
}

/**
 * Takes one attempt for this IP and (when given) this address. Answers 0 when allowed, else the
 * seconds to wait (for Retry-After). The address bucket is charged only when the IP allowed the
 * attempt, so requests already refused by IP do not also drain the address's allowance.
 */
export function takeAuthAttempt(deps: Pick<Deps, "config" | "clock">, ip: string, email?: string): number {
  const limits = authLimits(deps);
  const now = deps.clock.now();
  const ipWait = limits.ip.take(ip, now);
  if (ipWait > 0) return ipWait;
  const address = email ? normalizeEmail(email).slice(0, 254) : "";
  return address ? limits.email.take(address, now) : 0;
}

/** "Too many attempts" in words a person can act on. */
export function retryMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  const when = seconds < 60 ? `${seconds} seconds` : minutes === 1 ? "a minute" : `${minutes} minutes`;
  return `Too many attempts. For your account's safety, please wait ${when} and try again.`;
}
