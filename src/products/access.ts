import { and, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { Db } from "../db/connection";
import { memberships } from "../db/schema";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { forbidden, notFound } from "../lib/errors";
import type { User } from "../auth/users";
import type { ApiKey } from "./keys";
import { getProduct, type Product, type Role } from "./products";

/**
 * THE tenant check. Every product-scoped route (pages, HTMX partials, JSON API, exports) names
 * its parameter `:productId` (or takes `product` from the body/query for the query API) and goes
 * through here. Anyone without access gets 404 — never 403, never a hint the product exists.
 */
export function resolveProductAccess(
  db: Db,
  productId: string | undefined,
  who: { user: User | null; apiKey: ApiKey | null },
): { product: Product; role: Role | "key" } {
  if (!productId) throw notFound();
  if (who.apiKey) {
    // A key implies its product; naming another product is "not found".
    if (who.apiKey.productId !== productId) throw notFound();
    const product = getProduct(db, productId);
    if (!product) throw notFound();
    return { product, role: "key" };
  }
  if (!who.user) throw notFound();
  const membership = db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.productId, productId), eq(memberships.userId, who.user.id)))
    .get();
  if (!membership) throw notFound();
  const product = getProduct(db, productId);
  if (!product) throw notFound();
  return { product, role: membership.role as Role };
}

/** Middleware form for routes with `:productId`; sets c.var.product and c.var.role. */
export function productAccess(deps: Deps): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { product, role } = resolveProductAccess(deps.db, c.req.param("productId"), { user: c.get("user"), apiKey: c.get("apiKey") });
    c.set("product", product);
    c.set("role", role);
    await next();
  };
}

/** Named permissions (FR-5.4): owners manage keys, invites, members, rename and delete. */
export type Permission = (role: Role | "key") => boolean;
export const canManageProduct: Permission = (role) => role === "owner";
export const canManageKeys: Permission = canManageProduct;
export const canManageMembers: Permission = canManageProduct;
export const canDeleteProduct: Permission = canManageProduct;
/** Every member (not only owners) sees the team and the masked keys; only owners change them. */
export const canViewSettings: Permission = (role) => role === "owner" || role === "member";
export const canUseDashboards: Permission = (role) => role === "owner" || role === "member";
/** A member may leave a product on their own; the owner cannot (the product would be orphaned). */
export const canLeaveProduct: Permission = (role) => role === "member";

/**
 * After productAccess: refuses a signed-in member an owner's action. 403 is fine here — they
 * already know the product exists; everyone else was turned away with a 404 before this runs.
 */
export function requirePermission(can: Permission, refusal: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!can(c.get("role"))) throw forbidden(refusal);
    await next();
  };
}
