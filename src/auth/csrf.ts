import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { AppError } from "../lib/errors";
import { bearerToken } from "./api-key-auth";

/**
 * CSRF protection by origin (the OWASP "verify origin with standard headers" defence).
 *
 * The rule: a state-changing request (not GET/HEAD/OPTIONS) is refused when the browser says it
 * comes from somewhere else. An Origin header decides alone: it must be BASE_URL's origin or the
 * origin the request was sent to, and a mismatch is refused whatever Sec-Fetch-Site claims
 * (issue 13: keep the rule strict; behind a TLS proxy set BASE_URL, which links in mail need
 * anyway). `Origin: null` names no origin: browsers send it from sandboxed frames, and for a
 * form POST from a page whose Referrer-Policy is no-referrer (all of ours: secureHeaders'
 * default), so then — as without an Origin — Sec-Fetch-Site must be "same-origin" (a sandboxed
 * frame on another site says "cross-site"). A request with neither header is not a browser's
 * cross-site request (browsers send Origin on every cross-site POST), so scripts and tests with
 * a cookie but no Origin are let through.
 *
 * Exempt, because no cookie authenticates them and they are cross-site by design:
 *  - requests carrying `Authorization: Bearer …` (API keys; a browser never adds that header to
 *    a cross-site form or a simple request, so it cannot be forged);
 *  - the public tracking endpoint `/api/track` (authenticated by the site token, sent by t.js
 *    from customers' sites) and payment webhooks `/api/v1/hooks/*` (signed by the provider).
 * A cookie-authenticated `/api/v1/query` POST is NOT exempt.
 *
 * Written out rather than taken from hono/csrf: that middleware checks only form-like content
 * types (relying on CORS preflight for JSON); one rule for every content type is easier to trust.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const isExemptPath = (path: string) => path === "/api/track" || path === "/api/event" || path.startsWith("/api/track/") || path.startsWith("/api/v1/hooks/");

export function csrfProtection(deps: Pick<Deps, "config">): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || isExemptPath(c.req.path) || bearerToken(c.req.header("Authorization"))) return next();
    const origin = c.req.header("Origin");
    const fetchSite = c.req.header("Sec-Fetch-Site");
    let allowed: boolean;
    if (origin === undefined) allowed = fetchSite === undefined || fetchSite === "same-origin";
    else if (origin === "null") allowed = fetchSite === "same-origin";
    else allowed = origin === new URL(deps.config.baseUrl).origin || origin === new URL(c.req.url).origin;
    if (!allowed) {
      throw new AppError(403, "cross_site_request", "This request came from another site, so it was refused. Go back, reload the page and try again.");
    }
    return next();
  };
}
