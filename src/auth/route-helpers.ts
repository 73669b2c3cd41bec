import type { Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { clientIp } from "../lib/client-ip";
import { createSession, invalidateSession } from "./session";
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
  const previous = c.get("session");
  if (previous) invalidateSession(deps.db, previous.id);
  const { token } = createSession(deps.db, userId, deps.clock.now());
  setSessionCookie(c, deps, token);
}

export const requestIp = (c: Context, deps: Deps) => clientIp(c, deps.config.trustedProxies);

/** Pages whose URL holds a secret token: never cached, never leaked to another site as Referer. */
export function secretUrlHeaders(c: Context) {
  c.header("Cache-Control", "no-store");
  c.header("Referrer-Policy", "no-referrer");
}

export const oauthOptions = (deps: Deps) => ({ google: !!deps.config.google, github: !!deps.config.github });
