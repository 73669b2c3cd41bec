import type { Context, MiddlewareHandler } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { AppError, badRequest, forbidden, notFound, unauthorized } from "../lib/errors";
import { bearerToken } from "../auth/api-key-auth";
import { findActiveKey, keyAllows, type KeyScope } from "./keys";
import { canUseDashboards, resolveProductAccess } from "./access";

/**
 * THE access check as the JSON API reaches it: a key implies its product (naming another is
 * 404); a signed-in member names it (`product` in the query string or body). Answers the product
 * and the caller's role; what the role may do is each route's question. `code` is the error code
 * of the route's family (invalid_query, invalid_input, …) for a product named wrong.
 */
export function namedProductAccess(deps: Deps, c: Context<AppEnv>, named: unknown, o: { scope: KeyScope; code: string }) {
  const apiKey = c.get("apiKey");
  const user = c.get("user");
  if (!apiKey && !user) throw unauthorized(`Send a ${o.scope} key as Authorization: Bearer lk_…, or sign in`);
  if (named !== undefined && typeof named !== "string") throw badRequest(o.code, "product is a product id", "product");
  if (!apiKey && !named) throw badRequest(o.code, "Name the product (product=<id>)", "product");
  return resolveProductAccess(deps.db, (named as string | undefined) || apiKey?.productId, { user, apiKey });
}

/** The named product for a key or a member (not a viewer-only role): dashboards, goals, funnels, revenue. */
export function apiProduct(deps: Deps, c: Context<AppEnv>, named: unknown, scopeHint: "read" | "manage") {
  const access = namedProductAccess(deps, c, named, { scope: scopeHint, code: "invalid_input" });
  if (access.role !== "key" && !canUseDashboards(access.role)) throw forbidden("Members only");
  return access.product;
}

/**
 * An optional bearer key, identified but not yet judged by scope: on routes that name a row
 * (`/api/v1/goals/:goalId`), another tenant's row must be a 404 before any scope or product
 * question is answered, exactly like a made-up id.
 */
export function identifyKey(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization");
    if (bearerToken(header)) {
      const key = findActiveKey(deps.keys, bearerToken(header)!);
      if (!key) throw unauthorized("Unknown or revoked API key");
      c.set("apiKey", key);
      deps.queue.touchKey(key.id, deps.clock.now());
    }
    await next();
  };
}

/**
 * THE access check for a row named in the path: the row's own product decides. Not found, or
 * another tenant's (by key or by membership) → 404; then the key's scope → 403.
 */
export function rowProduct(deps: Deps, c: Context<AppEnv>, productIdOfRow: string | undefined, scope: KeyScope) {
  const apiKey = c.get("apiKey");
  const user = c.get("user");
  if (!apiKey && !user) throw unauthorized(`Send a ${scope} key as Authorization: Bearer lk_…, or sign in`);
  if (!productIdOfRow) throw notFound();
  const access = resolveProductAccess(deps.db, productIdOfRow, { user: apiKey ? null : user, apiKey });
  if (apiKey && !keyAllows(apiKey.scope, scope)) throw new AppError(403, "insufficient_scope", `This key has scope "${apiKey.scope}"; this needs a "${scope}" key`);
  if (access.role !== "key" && !canUseDashboards(access.role)) throw forbidden("Members only");
  return access.product;
}
