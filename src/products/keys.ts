import { and, desc, eq, isNull, sql } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { apiKeys } from "../db/schema";
import { parseOrThrow } from "../lib/validate";
import { displayNameSchema } from "../lib/names";
import { notFound } from "../lib/errors";
import { newId, randomToken, sha256Hex } from "../lib/tokens";

export type KeyScope = "ingest" | "read" | "manage";
export type ApiKey = typeof apiKeys.$inferSelect;
export const KEY_PREFIX = "lk_";

export const ScopeSchema = v.picklist(["ingest", "read", "manage"], "Scope must be ingest, read or manage");
/** DESIGN.md "Keys, scopes": `manage` also reads; otherwise a key does exactly its own scope. */
export const keyAllows = (keyScope: string, needed: KeyScope) => keyScope === needed || (keyScope === "manage" && needed === "read");
const DEFAULT_NAMES: Record<KeyScope, string> = { ingest: "Ingest key", read: "Read key", manage: "Manage key" };
export const KeyNameSchema = displayNameSchema(100, { required: false });

/** 32 bytes from the CSPRNG (NFR-2.1), base32: `lk_` + 52 characters. Only its SHA-256 is stored. */
export function createKey(
  db: Db,
  input: { productId: string; scope: string; name?: string; createdBy?: string | null },
  now: number,
): { key: ApiKey; secret: string } {
  const scope = parseOrThrow(ScopeSchema, input.scope, "scope");
  const name = parseOrThrow(KeyNameSchema, input.name ?? "", "name") || DEFAULT_NAMES[scope];
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

/**
 * The key a bearer token names, if it exists and is not revoked. Active keys are cached (one
 * cache per running app, `deps.keys`, built by createKeyCache); the cache is dropped whenever
 * api_keys may have changed: triggers move the counter in api_key_epoch on every revoke,
 * regeneration, scope change and (cascade) delete, by any connection — this one, the writer
 * thread's, the CLI's. It is read in one statement per request, so a revoke still counts on the
 * very next request. (`PRAGMA data_version` moves on every commit of the writer thread, which
 * would empty the cache a hundred times a second.)
 */
export function findActiveKey(cache: KeyCache, secret: string): ApiKey | undefined {
  if (!secret.startsWith(KEY_PREFIX) || secret.length > 100) return undefined;
  const hash = sha256Hex(secret);
  const { n } = cache.stamp.get() as { n: number };
  if (n !== cache.changes) {
    cache.byHash.clear();
    cache.changes = n;
  }
  let key = cache.byHash.get(hash);
  if (key) return key;
  key = cache.lookup.get({ hash });
  // Only found keys are kept (unknown tokens are not a cache anyone can fill).
  if (key) {
    if (cache.byHash.size >= MAX_CACHED_KEYS) cache.byHash.clear();
    cache.byHash.set(hash, Object.freeze(key)); // shared by every request that sends it
  }
  return key;
}

const MAX_CACHED_KEYS = 10_000;
export type KeyCache = {
  lookup: ReturnType<typeof prepareActiveKey>;
  stamp: ReturnType<Db["$client"]["prepare"]>;
  byHash: Map<string, ApiKey>;
  changes: number;
};
const prepareActiveKey = (db: Db) =>
  db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, sql.placeholder("hash")), isNull(apiKeys.revokedAt)))
    .prepare();
/** One per running app (`deps.keys`, built in createDeps): the cache THE bearer check reads. */
export function createKeyCache(db: Db): KeyCache {
  return {
    lookup: prepareActiveKey(db),
    // An update of last_used_at alone does not move it (the triggers name their columns).
    stamp: db.$client.prepare("SELECT n FROM api_key_epoch WHERE id = 1"),
    byHash: new Map(),
    changes: -1,
  };
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
 * the old key stops working on the very next request (the key cache sees the revoke at once).
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
