import type { Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { badRequest, forbidden, unauthorized } from "../lib/errors";
import { canUseDashboards, resolveProductAccess } from "./access";

/**
 * THE access check as the JSON API reaches it: a key implies its product (naming another is
 * 404); a signed-in member names it (`product` in the query string or body). `write` routes
 * need a manage key (the middleware checked the scope) or a member.
 */
export function apiProduct(deps: Deps, c: Context<AppEnv>, named: unknown, scopeHint: "read" | "manage") {
  const apiKey = c.get("apiKey");
  const user = c.get("user");
  if (!apiKey && !user) throw unauthorized(`Send a ${scopeHint} key as Authorization: Bearer lk_…, or sign in`);
  if (named !== undefined && typeof named !== "string") throw badRequest("invalid_input", "product is a product id", "product");
  if (!apiKey && !named) throw badRequest("invalid_input", "Name the product (product=<id>)", "product");
  const access = resolveProductAccess(deps.db, (named as string | undefined) || apiKey?.productId, { user, apiKey });
  if (access.role !== "key" && !canUseDashboards(access.role)) throw forbidden("Members only");
  return access.product;
}
