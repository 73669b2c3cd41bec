import { and, desc, eq, isNull, sql } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { apiKeys } from "../db/schema";
import { parseOrThrow } from "../auth/users";
import { notFound } from "../lib/errors";
import { newId, randomToken, sha256Hex } from "../lib/tokens";

export type KeyScope = "ingest" | "read";
export type ApiKey = typeof apiKeys.$inferSelect;
export const KEY_PREFIX = "lk_";

export const ScopeSchema = v.picklist(["ingest", "read"], "Scope must be ingest or read");
export const KeyNameSchema = v.pipe(v.string(), v.trim(), v.maxLength(100, "Use at most 100 characters"));

/** 32 bytes from the CSPRNG (NFR-2.1), base32: `lk_` + 52 characters. Only its SHA-256 is stored. */
export function createKey(
  db: Db,
  input: { productId: string; scope: string; name?: string; createdBy?: string | null },
  now: number,
): { key: ApiKey; secret: string } {
  const scope = parseOrThrow(ScopeSchema, input.scope, "scope");
  const name = parseOrThrow(KeyNameSchema, input.name ?? "", "name") || (scope === "ingest" ? "Ingest key" : "Read key");
  const secret = KEY_PREFIX + randomToken(32);
  const key: ApiKey = {
    id: newId(),
    productId: input.productId,
    name,
    scope,
    keyHash: sha256Hex(secret),
    prefix: secret.slice(0, KEY_PREFIX.length + 4),
    last4: secret.slice(-4),
    createdBy: input.createdBy ?? null,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  };
  db.insert(apiKeys).values(key).run();
  return { key, secret };
}

/** How a key is shown after creation: `lk_4f2a…9c1e`. */
export const maskKey = (key: Pick<ApiKey, "prefix" | "last4">) => `${key.prefix}…${key.last4}`;

/** The key a bearer token names, if it exists and is not revoked. One indexed lookup. */
export function findActiveKey(db: Db, secret: string): ApiKey | undefined {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 100) return undefined;
  return activeKeyStatement(db).get({ hash: sha256Hex(secret) });
}

// Prepared once per database: this runs on every API request. No cache of answers, so a revoke
// by this or any other process (the CLI) counts on the very next request.
const activeKeyStatements = new WeakMap<Db, ReturnType<typeof prepareActiveKey>>();
const prepareActiveKey = (db: Db) =>
  db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
    .prepare();
function activeKeyStatement(db: Db) {
  let statement = activeKeyStatements.get(db);
  if (!statement) activeKeyStatements.set(db, (statement = prepareActiveKey(db)));
  return statement;
}

export function revokeKey(db: Db, keyId: string, now: number, productId?: string): ApiKey {
  const where = productId ? and(eq(apiKeys.id, keyId), eq(apiKeys.productId, productId)) : eq(apiKeys.id, keyId);
  const key = db.select().from(apiKeys).where(where).get();
  if (!key) throw notFound("No such key");
  if (!key.revokedAt) db.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, keyId)).run();
  return { ...key, revokedAt: key.revokedAt ?? now };
}

/**
 * FR-2.4: a new key with the same name and scope, and the old one revoked, in one transaction:
 * the old key stops working on the very next request (every bearer check is a fresh lookup).
 */
export function regenerateKey(db: Db, keyId: string, productId: string, now: number, createdBy: string | null = null): { key: ApiKey; secret: string } {
  return db.transaction((tx) => {
    const old = tx.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.productId, productId), isNull(apiKeys.revokedAt))).get();
    if (!old) throw notFound("No such key (it may have been revoked already)");
    tx.update(apiKeys).set({ revokedAt: now }).where(eq(apiKeys.id, old.id)).run();
    return createKey(tx as unknown as Db, { productId, scope: old.scope, name: old.name, createdBy }, now);
  });
}

export function listKeys(db: Db, productId: string): ApiKey[] {
  return db.select().from(apiKeys).where(eq(apiKeys.productId, productId)).orderBy(desc(apiKeys.createdAt)).all();
}

/** The keys a product can still use, newest first (revoked ones stay in the table for the record). */
export function listActiveKeys(db: Db, productId: string): ApiKey[] {
  return db.select().from(apiKeys).where(and(eq(apiKeys.productId, productId), isNull(apiKeys.revokedAt))).orderBy(desc(apiKeys.createdAt)).all();
}
