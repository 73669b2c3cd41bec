import type { Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { clientIp } from "../lib/client-ip";
import { createSession, invalidateSession } from "./session";
import { invalidatePendingRegistration } from "./pending-registration";
import { setSessionCookie } from "./middleware";

/**
 * Where to go after signing in. Only a path on this server: "/x" but never "//evil.example" or
 * "/\evil.example" (browsers read both as another host), so ?next= cannot be an open redirect.
 */
export function safeNext(value: string | undefined | null): string | null {
  if (!value || value.length > 1000) return null;
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return null;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return null;
  return value;
}

/** Starts a session for `userId`, ending the one this browser had (no session fixation). */
export function startSession(c: Context<AppEnv>, deps: Deps, userId: string) {
  endSession(c, deps);
  const { token } = createSession(deps.db, userId, deps.clock.now());
  setSessionCookie(c, deps, token);
}

/** Ends what this browser's cookie names: a session or a pending registration (the cookie stays). */
export function endSession(c: Context<AppEnv>, deps: Deps) {
  const session = c.get("session");
  if (session) invalidateSession(deps.db, session.id);
  const pending = c.get("pending");
  if (pending) invalidatePendingRegistration(deps.db, pending.id);
}

export const requestIp = (c: Context, deps: Deps) => clientIp(c, deps.config.trustedProxies);

/** Pages whose URL holds a secret token: never cached, never leaked to another site as Referer. */
export function secretUrlHeaders(c: Context) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

export const oauthOptions = (deps: Deps) => ({ google: !!deps.config.google, github: !!deps.config.github });
