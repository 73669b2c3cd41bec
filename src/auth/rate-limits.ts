import type { Config } from "../config";
import type { Deps } from "../deps";
import { RateLimiter } from "../lib/rate-limit";
import { normalizeEmail } from "./users";

/**
 * Brute-force and mail-bombing brakes on login, registration, reset and resend requests, each per
 * 15 minutes (token buckets, so a burst is allowed and the allowance refills steadily):
 *  - RATE_LIMIT_AUTH_PER_IP attempts of any kind per client IP;
 *  - failed logins per (address, IP) at RATE_LIMIT_AUTH_PER_EMAIL, so a stranger guessing
 *    someone's password locks out only themselves, never the owner signing in from elsewhere;
 *  - failed logins per address from everywhere at RATE_LIMIT_AUTH_FAILURES_PER_EMAIL, far above
 *    the pair limit: it stops a guessing botnet, which costs it many IPs to reach;
 *  - mails (reset, resend, registration) per address at RATE_LIMIT_AUTH_PER_EMAIL.
 * One set per running app: a member of Deps, built in createDeps.
 */
const WINDOW_MS = 15 * 60_000;
export type AuthLimits = { ip: RateLimiter; mailPerEmail: RateLimiter; failuresPerPair: RateLimiter; failuresPerEmail: RateLimiter };

export function createAuthLimits(config: Pick<Config, "rateLimits">): AuthLimits {
  const { authPerIp, authPerEmail, authFailuresPerEmail } = config.rateLimits;
  return {
    ip: RateLimiter.perWindow(authPerIp, WINDOW_MS),
    mailPerEmail: RateLimiter.perWindow(authPerEmail, WINDOW_MS),
    failuresPerPair: RateLimiter.perWindow(authPerEmail, WINDOW_MS),
    failuresPerEmail: RateLimiter.perWindow(authFailuresPerEmail, WINDOW_MS),
  };
}

type LimitDeps = Pick<Deps, "limits" | "clock">;
const addressOf = (email: string | undefined) => (email ? normalizeEmail(email).slice(0, 254) : "");

/**
 * Takes one attempt for this IP and (when given) one mail for this address. Answers 0 when
 * allowed, else the seconds to wait (for Retry-After). The address is charged only when the IP
 * allowed the attempt, so requests already refused by IP do not also drain its allowance.
 */
export function takeAuthAttempt(deps: LimitDeps, ip: string, email?: string): number {
  const limits = deps.limits.auth;
  const now = deps.clock.now();
  const ipWait = limits.ip.take(ip, now);
  if (ipWait > 0) return ipWait;
  const address = addressOf(email);
  return address ? limits.mailPerEmail.take(address, now) : 0;
}

/** Before checking a password: one attempt for the IP; refused while this pair or this address has no failures left. */
export function takeLoginAttempt(deps: LimitDeps, ip: string, email: string): number {
  const limits = deps.limits.auth;
  const now = deps.clock.now();
  const ipWait = limits.ip.take(ip, now);
  if (ipWait > 0) return ipWait;
  const address = addressOf(email);
  if (!address) return 0;
  return Math.max(limits.failuresPerPair.peek(`${address}\u0000${ip}`, now), limits.failuresPerEmail.peek(address, now));
}

/** After a wrong password: the failure counts against this (address, IP) and, far more loosely, the address. */
export function recordLoginFailure(deps: LimitDeps, ip: string, email: string) {
  const address = addressOf(email);
  if (!address) return;
  const now = deps.clock.now();
  deps.limits.auth.failuresPerPair.take(`${address}\u0000${ip}`, now);
  deps.limits.auth.failuresPerEmail.take(address, now);
}

/** "Too many attempts" in words a person can act on. */
export function retryMessage(seconds: number): string {
  const minutes = Math.ceil(seconds / 60);
  const when = seconds < 60 ? `${seconds} seconds` : minutes === 1 ? "a minute" : `${minutes} minutes`;
  return `Too many attempts. For your account's safety, please wait ${when} and try again.`;
}
