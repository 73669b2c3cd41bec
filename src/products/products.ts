import { and, eq, asc, sql } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { memberships, products, users } from "../db/schema";
import { parseOrThrow } from "../lib/validate";
import { displayNameSchema } from "../lib/names";
import { rescheduleProductReports } from "../reports/reports";
import { notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { newSiteToken } from "../web/sites";
import { isValidZone } from "../lib/time/zone";

export type Product = typeof products.$inferSelect;
export type Role = "owner" | "member";

export const ProductNameSchema = displayNameSchema(100);
export const TimeZoneSchema = v.pipe(
  v.string("Time zone is required"),
  v.trim(),
  v.check(isValidZone, "Unknown time zone; use an IANA name like Europe/Berlin"),
);

/** Creates the product and its owner's membership in one transaction. */
export function createProduct(db: Db, input: { ownerId: string; name: string; timezone?: string }, now: number): Product {
  const name = parseOrThrow(ProductNameSchema, input.name, "name");
  const timezone = parseOrThrow(TimeZoneSchema, input.timezone ?? "UTC", "timezone");
  const product: Product = { id: newId(), name, timezone, siteToken: newSiteToken(), createdBy: input.ownerId, createdAt: now };
  db.transaction((tx) => {
    tx.insert(products).values(product).run();
    tx.insert(memberships).values({ productId: product.id, userId: input.ownerId, role: "owner", createdAt: now }).run();
  });
  return product;
}

/**
 * Rename and/or move to another time zone (owners only; the route checks the permission).
 * Reports are scheduled in local time, so a new zone moves their next runs in the same transaction.
 */
export function updateProduct(db: Db, id: string, input: { name: string; timezone: string }, now: number): Product {
  const name = parseOrThrow(ProductNameSchema, input.name, "name");
  const timezone = parseOrThrow(TimeZoneSchema, input.timezone, "timezone");
  return db.transaction(() => {
    const before = getProduct(db, id);
    const updated = db.update(products).set({ name, timezone }).where(eq(products.id, id)).returning().get();
    if (!before || !updated) throw notFound();
    if (before.timezone !== timezone) rescheduleProductReports(db, updated, now);
    return updated;
  });
}

// Every product-scoped request looks its product up: one prepared statement per database rather
// than drizzle building and SQLite compiling the query each time (~35 µs of a query API call).
const prepareGetProduct = (db: Db) =>
  db
    .select()
    .from(products)
    .where(eq(products.id, sql.placeholder("id")))
    .prepare();
const getProductStatements = new WeakMap<Db, ReturnType<typeof prepareGetProduct>>();

export function getProduct(db: Db, id: string): Product | undefined {
  let st = getProductStatements.get(db);
  if (!st) getProductStatements.set(db, (st = prepareGetProduct(db)));
  return st.get({ id });
}

/** Products a user can see (owned and shared), with their role, by name. */
export function listProductsForUser(db: Db, userId: string): (Product & { role: Role })[] {
  return db
    .select({ product: products, role: memberships.role })
    .from(memberships)
    .innerJoin(products, eq(products.id, memberships.productId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(products.name))
    .all()
    .map((r) => ({ ...r.product, role: r.role as Role }));
}

/** Every product with its owner's email: for the CLI. */
export function listAllProducts(db: Db) {
  return db
    .select({ id: products.id, name: products.name, timezone: products.timezone, createdAt: products.createdAt, owner: users.email })
    .from(products)
    .leftJoin(memberships, and(eq(memberships.productId, products.id), eq(memberships.role, "owner")))
    .leftJoin(users, eq(users.id, memberships.userId))
    .orderBy(asc(products.createdAt))
    .all();
}
