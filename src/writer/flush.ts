import type { Database } from "bun:sqlite";
import { AppError } from "../lib/errors";
import { IDEMPOTENCY_TTL_MS } from "../ingest/idempotency";
import { SeriesRegistry } from "./series-registry";
import { applyBatch, type Rows } from "./apply-batch";
import type { BatchResult, EventsResult, WireError, WriteBatch, WriterHealth, WriterStats } from "./batch";
import { newHistogram, observe } from "../lib/histogram";
import { createUsageCounter } from "./usage";
import { createWebWriter } from "./web/web-writer";
import { createRevenueWriter } from "./revenue";
import { createSchemaWriter } from "./event-schemas";
import { createWebhookHooks } from "../webhooks/writer-hooks";
import type { PointsChunk, PointsSink } from "../storage/plane";
import type { EventsSink } from "../storage/events-plane";
import { createSqliteEventsSink } from "../storage/sqlite/events-sink";
import { createSqlitePointsSink, sortedGroups } from "../storage/sqlite/points-sink";
import type { WebSink } from "../storage/web-plane";
import { createSqliteWebSink } from "../storage/sqlite/web-sink";

// api_keys.last_used_at is written at most this often per key.
const LAST_USED_EVERY_MS = 60_000;
// Retry-After of a 503 storage_unavailable: long enough for an operator to free space.
const STORAGE_RETRY_AFTER_S = 30;

export type FlushItem = { seq: number; batch: WriteBatch };
export type FlushResult = { seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: WireError };

/**
 * The flush transaction, on the writer's own connection: ONE synchronous BEGIN IMMEDIATE with no
 * await inside — series and series_tags, raw points sorted by (series, time), events, rollups
 * folded in memory first, idempotency answers, last-used stamps and the month's usage counts — then COMMIT. Results are
 * handed out only after COMMIT, so an answered request is on disk.
 */
export function createFlusher(sqlite: Database, opts: { maxSeriesPerProduct: number; sink?: PointsSink; events?: EventsSink; web?: WebSink; deferWebFold?: boolean }) {
  const registry = new SeriesRegistry(sqlite, opts.maxSeriesPerProduct);
  // Where raw points and rollups go: this SQLite file, or ClickHouse (src/storage/).
  const sink = opts.sink ?? createSqlitePointsSink(sqlite);
  const eventsSink = opts.events ?? createSqliteEventsSink(sqlite);
  const usage = createUsageCounter(sqlite);
  // The writer thread defers SQLite's aggregate upserts (src/writer/web/journal.ts); in-process
  // loaders (the bench's data generator) write them in each flush.
  const webSink = opts.web ?? createSqliteWebSink(sqlite, { deferFold: opts.deferWebFold });
  const web = createWebWriter(sqlite, webSink);
  const revenue = createRevenueWriter(sqlite);
  const schemaWriter = createSchemaWriter(sqlite);
  const webhooks = createWebhookHooks(sqlite);
  const touchKey = sqlite.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?");
  const statements = {
    insertIdempotency: sqlite.prepare(
      // An expired row that the expiry job has not deleted yet is replaced; a live one is kept.
      `INSERT INTO idempotency_keys (product_id, key, body_hash, status, response, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (product_id, key) DO UPDATE SET body_hash = excluded.body_hash, status = excluded.status,
         response = excluded.response, created_at = excluded.created_at
       WHERE created_at <= excluded.created_at - ${IDEMPOTENCY_TTL_MS}`,
    ),
  };
  const productRow = sqlite.prepare("SELECT 1 AS ok FROM products WHERE id = ?");
  const keyStamps = new Map<string, number>();
  // Keys used since their last stamp (reads, or a flush that failed): stamped by the next flush.
  const touches = new Map<string, number>();
  let health: WriterHealth = { ok: true };
  let flushes = 0;
  let stored = 0;
  let storedEvents = 0;
  // For GET /metrics: the whole flush transaction, and its COMMIT (the fsync) alone.
  const flushSeconds = newHistogram();
  const commitSeconds = newHistogram();

  function flush(items: FlushItem[]): FlushResult[] {
    for (const { batch } of items) if (batch.apiKeyId) noteTouch(batch.apiKeyId, batch.now);
    try {
      const started = performance.now();
      const outcomes = commit(items);
      observe(flushSeconds, (performance.now() - started) / 1000);
      health = { ok: true };
      return outcomes;
    } catch (err) {
      registry.clear();
      web.reset();
      const storage = storageProblem(err);
      if (storage) health = { ok: false, code: "storage_unavailable", reason: storage };
      // A full disk fails every batch alike; anything else may be one bad batch that must not
      // fail the others that shared its transaction: retry each alone.
      if (storage || items.length === 1) return items.map(({ seq }) => ({ seq, ok: false as const, error: toWire(err, storage) }));
      return items.flatMap((item) => flush([item]));
    }
  }

  function commit(items: FlushItem[]): FlushResult[] {
    const rows: Rows = new Map();
    // An idempotent request's points in a chunk of their own when the sink deduplicates by token.
    const own: PointsChunk[] = [];
    const products = new Map<string, boolean>();
    const productExists = (id: string) => {
      let ok = products.get(id);
      if (ok === undefined) products.set(id, (ok = productRow.get(id) !== null));
      return ok;
    };
    const outcomes: FlushResult[] = [];
    let events = 0;
    const tally = usage.tally();
    const schemas = schemaWriter.fold();
    const hooks = webhooks.begin(items[0]?.batch.now ?? Date.now());
    eventsSink.begin();
    sqlite.exec("BEGIN IMMEDIATE");
    try {
      for (const { seq, batch } of items) {
        try {
          const token = batch.idempotency ? dedupToken(batch.productId, batch.idempotency.key, batch.idempotency.bodyHash, batch.now) : null;
          const batchRows: Rows = sink.tokens && token ? new Map() : rows;
          const value: BatchResult = applyBatch(batch, { productExists, registry, rows: batchRows, web, revenue, events: eventsSink, token, schemas, hooks, ...statements });
          if (sink.tokens && token && batchRows.size) own.push({ token, groups: sortedGroups(batchRows) });
          if (batch.kind === "events") events += (value as EventsResult).accepted;
          tally.add(batch, value);
          outcomes.push({ seq, ok: true, value });
        } catch (err) {
          // Refusals (a deleted product, the series limit) happen before the batch wrote anything.
          if (!(err instanceof AppError)) throw err;
          outcomes.push({ seq, ok: false, error: toWire(err, null) });
        }
      }
      web.finish();
      tally.write();
      schemas.write(items[0]?.batch.now ?? Date.now());
      for (const [keyId, at] of touches) touchKey.run(at, keyId);
      // Events and points last, right before COMMIT: on ClickHouse these inserts cannot be rolled
      // back, so nothing that can still fail in SQLite comes after them except the COMMIT itself.
      // (Events first; their `event:<name>` counts are in the points. On SQLite `add` already
      // stored them and this is a no-op.)
      eventsSink.write();
      // A flush of page views alone has no points: the sink's call (a rollup fold, its tables) was
      // ~25 µs of every such flush (measured at 32–64 hits per flush).
      const count = rows.size || own.length ? sink.write([{ token: null, groups: sortedGroups(rows) }, ...own]) : 0;
      // Web rows last (one call at most, none for a flush without hits): on ClickHouse, like the
      // inserts above, after every statement that can still fail in SQLite.
      web.write();
      const committing = performance.now();
      sqlite.exec("COMMIT");
      observe(commitSeconds, (performance.now() - committing) / 1000);
      for (const [keyId, at] of touches) keyStamps.set(keyId, at); // only once the stamp is on disk
      touches.clear();
      flushes++;
      stored += count;
      storedEvents += events;
      return outcomes;
    } catch (err) {
      if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
      throw err;
    }
  }

  function noteTouch(keyId: string, now: number) {
    if (now - (keyStamps.get(keyId) ?? -Infinity) >= LAST_USED_EVERY_MS) touches.set(keyId, Math.max(now, touches.get(keyId) ?? now));
  }

  return {
    flush,
    /** A key used by a request that writes nothing (a read key): stamped by the next flush. */
    touch: noteTouch,
    hasTouches: () => touches.size > 0,
    forgetProduct: (productId: string) => {
      registry.forgetProduct(productId);
      web.forgetProduct(productId);
      webhooks.forgetProduct(productId);
    },
    /** Marks storage healthy again once a write went through (a probe or a flush). */
    recordProbe(err: unknown) {
      const storage = err === null ? null : storageProblem(err);
      health = storage ? { ok: false, code: "storage_unavailable", reason: storage } : { ok: true };
    },
    health: () => health,
    /** The web pre-aggregates' deferred upserts (src/writer/web/journal.ts). */
    webFoldPending: () => web.foldPending(),
    foldWeb: () => web.foldJournal(),
    close: () => sink.close(),
    /** The data plane's side of purge and retention (src/storage/). */
    sink,
    events: eventsSink,
    web: webSink,
    stats: (): WriterStats => ({ flushes, points: stored, events: storedEvents, flushSeconds, commitSeconds }),
  };
}
export type Flusher = ReturnType<typeof createFlusher>;

/**
 * The insert_deduplication_token of an idempotent request (DESIGN.md: Idempotency-Key maps onto
 * it). The key lives IDEMPOTENCY_TTL_MS; the token carries which TTL-long window the request fell
 * in, so the same key reused after it expired is stored again. A retry straddling a window edge
 * is not deduplicated by ClickHouse (the SQLite record still answers it in the common case).
 */
export function dedupToken(productId: string, key: string, bodyHash: string, now: number): string {
  return `${productId}:${key}:${bodyHash}:${Math.floor(now / IDEMPOTENCY_TTL_MS)}`;
}

/**
 * SQLite's answer when the disk (or the file system) cannot take the write: full, read-only,
 * an I/O error, or a lock held past busy_timeout. The write was rolled back; a retry later
 * may succeed. Returns the reason to show, or null for any other error.
 */
export function storageProblem(err: unknown): string | null {
  const code = (err as { code?: unknown })?.code;
  if (typeof code !== "string") return null;
  if (code.startsWith("SQLITE_FULL")) return "the disk is full";
  if (code.startsWith("SQLITE_IOERR")) return `an I/O error (${code})`;
  if (code.startsWith("SQLITE_READONLY")) return "the database file is read-only";
  if (code.startsWith("SQLITE_CANTOPEN")) return "the database file cannot be opened";
  if (code.startsWith("SQLITE_BUSY")) return "the database is locked by another process";
  if (code === "CLICKHOUSE_WRITE") return `ClickHouse refused the write (${(err as Error).message})`;
  return null;
}

export function toWire(err: unknown, storage: string | null): WireError {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  if (storage) {
    return {
      status: 503,
      code: "storage_unavailable",
      message: `Nothing was stored: ${storage}. Retry after ${STORAGE_RETRY_AFTER_S} s.`,
      retryAfter: STORAGE_RETRY_AFTER_S,
    };
  }
  return { status: 500, code: "internal_error", message: "Something went wrong on our side; it has been logged." };
}
