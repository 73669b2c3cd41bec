import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { wantsJson } from "../http/errors";
import { forbidden, unauthorized } from "../lib/errors";
import { SESSION_COOKIE, SESSION_TTL_MS, validateSessionToken } from "./session";
import { pendingVisitor, validatePendingRegistrationToken } from "./pending-registration";

/**
 * Reads the session cookie (if any) into c.var.user / c.var.session. A pending registration's
 * token (same cookie, same shape) makes an unverified stand-in user and c.var.pending instead, so
 * every page treats it as a new account waiting for its link. Never refuses by itself.
 */
export function sessionMiddleware(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("user", null);
    c.set("session", null);
    c.set("pending", null);
    c.set("apiKey", null);
    const token = getCookie(c, SESSION_COOKIE);
    if (token) {
      const now = deps.clock.now();
      const found = validateSessionToken(deps.db, token, now);
      const pending = found ? null : validatePendingRegistrationToken(deps.db, token, now);
      if (found) {
        c.set("user", found.user);
        c.set("session", found.session);
      } else if (pending) {
        c.set("user", pendingVisitor(pending));
        c.set("pending", pending);
      } else {
        deleteCookie(c, SESSION_COOKIE, { path: "/" });
      }
    }
    await next();
  };
}

export function setSessionCookie(c: Context, deps: Deps, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: deps.config.baseUrl.startsWith("https://"),
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/**
 * Pages need a signed-in, verified user: anonymous visitors are sent to /login (HTMX gets an
 * HX-Redirect), API callers get 401 JSON. Unverified users are sent to /verify-email, or get 403
 * JSON: nothing behind this is theirs until the address is confirmed (and a pending registration's
 * stand-in user could not own anything anyway).
 */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = c.get("user");
    if (!user) {
      if (wantsJson(c)) throw unauthorized("Sign in first");
      const target = c.req.path === "/" ? "/login" : `/login?next=${encodeURIComponent(c.req.path)}`;
      if (c.req.header("HX-Request") === "true") return c.body(null, 204, { "HX-Redirect": target });
      return c.redirect(target, 302);
    }
    if (!user.emailVerifiedAt) {
      if (wantsJson(c)) throw forbidden("Confirm your email address first: open the link we mailed you");
      return c.redirect("/verify-email", 302);
    }
    await next();
  };
}
