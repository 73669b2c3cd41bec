/**
 * The writer thread (a Bun Worker): the ONE owner of the write connection for data tables.
 * The HTTP thread posts validated batches; this thread gathers whatever arrived while it was
 * busy, commits it in one transaction, and answers each batch by sequence number after COMMIT.
 * Group commit needs no timer here: a flush (and its fsync) takes the thread, so the requests
 * that arrive meanwhile form the next group by themselves.
 */
import type { Database } from "bun:sqlite";
import { statfsSync } from "node:fs";
import { lowerThreadPriority } from "../lib/thread-priority";
import { dirname } from "node:path";
import { openDatabase, closeDatabase } from "../db/connection";
import { createLogger, type LogLevel } from "../lib/log";
import { createFlusher, storageProblem, toWire, type FlushItem, type FlushResult, type Flusher } from "./flush";
import { expireIdempotencyBatch, planPurge, purgeBatch, type PurgePlan } from "./purge";
import { unpackBatches, type FromWriter, type ToWriter, type WriterDone, type WriterOp } from "./batch";
import { openSinks, type StorageInit } from "../storage/open";

export type WriterInit = { dbPath: string; sync: "full" | "normal"; maxSeriesPerProduct: number; logLevel: LogLevel; storage?: StorageInit; webFoldMs?: number };

// A flush takes whole batches up to this many points; the rest go in the next transaction.
const MAX_FLUSH_POINTS = 20_000;
// A flush of MAX_FLUSH_POINTS writes up to ~2 MiB of WAL; below twice that, storage stays unhealthy.
const MIN_FREE_BYTES = 4 * 1024 * 1024;
// The writer's nice value: on a shared core the HTTP thread (requests, queries) goes first, by a
// little. Measured on one core with a query loop beside 4 ingest lanes (bench R7): nice 0 gave
// query p99 3.3× idle and ingest 0.65×; nice 5, 2.5× and 0.48×; nice 2, 2.0× and 0.69×.
const WRITER_NICE = 2;
// Last-used stamps of keys that write nothing (read keys) wait at most this long for a flush.
const TOUCH_FLUSH_MS = 1_000;
// Web flushes leave their pre-aggregate changes in web_fold_journal; they are folded at most
// WEB_FOLD_MS after (src/writer/web/journal.ts), and at once before any op (the web queries' barrier).
let webFoldMs = 300;

declare const self: Worker;

let sqlite: Database;
let dataDir = ".";
let flusher: Flusher;
let plan: { schema: number; plan: PurgePlan } | null = null;
let log = createLogger("info");
let pending: FlushItem[] = [];
let ops: { seq: number; op: WriterOp }[] = [];
let scheduled = false;
let touchTimer: ReturnType<typeof setTimeout> | null = null;
let foldTimer: ReturnType<typeof setTimeout> | null = null;
let foldDue = false;
let closing = false;
// "batches" messages taken in so far; every run flushes all of them before it answers.
let received = 0;

const post = (msg: FromWriter) => self.postMessage(msg);

self.onmessage = (event: MessageEvent<ToWriter | { type: "init"; init: WriterInit }>) => {
  const msg = event.data;
  switch (msg.type) {
    case "init":
      log = createLogger(msg.init.logLevel);
      dataDir = dirname(msg.init.dbPath);
      webFoldMs = msg.init.webFoldMs ?? webFoldMs;
      lowerThreadPriority(WRITER_NICE);
      sqlite = openDatabase(msg.init.dbPath, { sync: msg.init.sync }).$client;
      // chdb is synchronous and in-process: inserts run here, on the writer's thread, never on
      // the HTTP thread (one engine per process, shared with the HTTP thread's reads).
      flusher = createFlusher(sqlite, { maxSeriesPerProduct: msg.init.maxSeriesPerProduct, ...(msg.init.storage ? openSinks(msg.init.storage, sqlite) : {}), deferWebFold: true });
      // Crash replay: what the last run committed and had not folded yet.
      foldWeb("start-up");
      post({ type: "ready" });
      return;
    case "batches":
      received++;
      for (const item of unpackBatches(msg.packed)) pending.push(item);
      return schedule();
    case "op":
      ops.push({ seq: msg.seq, op: msg.op });
      return schedule();
    case "touch":
      flusher.touch(msg.keyId, msg.now);
      if (flusher.hasTouches() && !touchTimer) touchTimer = setTimeout(() => ((touchTimer = null), schedule()), TOUCH_FLUSH_MS);
      return;
    case "close":
      closing = true;
      return schedule();
  }
};

function schedule() {
  if (scheduled) return;
  scheduled = true;
  setImmediate(run);
}

function run() {
  scheduled = false;
  const results: FlushResult[] = [];
  // Every batch that arrived before an op is committed before the op runs (flushNow relies on it).
  while (pending.length) {
    let size = 0;
    let taken = 0;
    while (taken < pending.length && (taken === 0 || size + sizeOf(pending[taken]!) <= MAX_FLUSH_POINTS)) size += sizeOf(pending[taken++]!);
    const items = pending.slice(0, taken);
    pending = pending.slice(taken);
    const out = flusher.flush(items);
    for (const r of out) if (!r.ok && r.error.status >= 500) log.error("write flush failed", { error: r.error, batches: items.length });
    results.push(...out);
  }
  const todo = ops;
  if (flusher.webFoldPending()) {
    if (foldDue || closing || todo.length) foldWeb("fold");
    else if (!foldTimer) foldTimer = setTimeout(() => ((foldTimer = null), (foldDue = true), schedule()), webFoldMs);
  }
  // Stamps wait for company up to TOUCH_FLUSH_MS, except before an op (flushNow) or at close.
  if (flusher.hasTouches() && (!touchTimer || closing || todo.length)) results.push(...flusher.flush([]));
  ops = [];
  for (const { seq, op } of todo) results.push(runOp(seq, op));
  if (results.length) post({ type: "done", json: JSON.stringify({ received, results, health: flusher.health(), stats: flusher.stats(), webFoldPending: flusher.webFoldPending() } satisfies WriterDone) });
  if (closing) {
    if (touchTimer) clearTimeout(touchTimer);
    if (foldTimer) clearTimeout(foldTimer);
    flusher.close();
    try {
      closeDatabase({ $client: sqlite } as never);
    } catch (err) {
      // Everything acknowledged is committed already; a checkpoint that fails (a full disk)
      // is redone from the WAL by the next open.
      log.warn("writer: closing the database failed", { err });
    }
    post({ type: "closed", ...flusher.stats() }); // the main thread terminates this worker
  }
}

/** A fold that fails (a full disk) keeps its journal rows: the next one, or the next start, folds them. */
function foldWeb(when: string) {
  foldDue = false;
  try {
    const rows = flusher.foldWeb();
    if (when === "start-up" && rows > 0) log.info("writer: folded web aggregates the last run left in its journal", { rows });
  } catch (err) {
    const storage = storageProblem(err);
    if (storage) flusher.recordProbe(err);
    log.error("writer: folding the web aggregates failed; their journal rows are kept", { err, when });
  }
}

const sizeOf = (item: FlushItem) => (item.batch.kind === "points" ? item.batch.slot.length : item.batch.kind === "web" ? item.batch.hits.length + 1 : item.batch.events.length);

function runOp(seq: number, op: WriterOp): FlushResult {
  try {
    switch (op.kind) {
      case "purge":
        // The data plane's rows first (ClickHouse finds them by product; SQLite's purge by series).
        return { seq, ok: true, value: flusher.sink.purgeProduct(op.productId) || flusher.events.purgeProduct(op.productId) || flusher.web.purgeProduct(op.productId) || purgeBatch(sqlite, purgePlan(), op.productId, op.batchSize) };
      case "expire-idempotency":
        return { seq, ok: true, value: expireIdempotencyBatch(sqlite, op.cutoff, op.limit) };
      case "sync":
      case "fold-web":
        return { seq, ok: true, value: null };
      case "forget-product":
        flusher.forgetProduct(op.productId);
        return { seq, ok: true, value: null };
      case "retention-points":
        return { seq, ok: true, value: flusher.sink.deleteOldPoints(op.productId, op.before, op.limit) };
      case "retention-events":
        return { seq, ok: true, value: flusher.events.deleteOld(op.productId, op.before, op.scope, op.limit) };
      case "retention-web":
        return { seq, ok: true, value: flusher.web.deleteOld(op.productId, op.before, op.limit) };
      case "erase-person": {
        const value = flusher.events.erasePerson(op.productId, op.person, op.after, op.limit);
        if (op.after === 0) value.deleted += flusher.web.erasePerson(op.productId, op.person);
        // The visits of an erased visitor id must not be written back from the writer's memory.
        if (op.after === 0) flusher.forgetProduct(op.productId);
        return { seq, ok: true, value };
      }
      case "rebuild-user-days":
        return { seq, ok: true, value: flusher.events.rebuildUserDays(op.productId, op.zone, op.after, op.limit) };
      case "probe": {
        // One row fits in a page the WAL may already have, so the disk must also have room for a
        // whole flush before writes count as working again.
        const free = freeBytes(dataDir);
        if (free < MIN_FREE_BYTES) {
          flusher.recordProbe(Object.assign(new Error("disk full"), { code: "SQLITE_FULL" }));
          return { seq, ok: true, value: flusher.health() };
        }
        sqlite.exec("BEGIN IMMEDIATE; INSERT INTO writer_probe (id, at) VALUES (1, unixepoch()) ON CONFLICT (id) DO UPDATE SET at = excluded.at; COMMIT");
        flusher.recordProbe(null);
        return { seq, ok: true, value: flusher.health() };
      }
    }
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    const storage = storageProblem(err);
    if (op.kind === "probe") flusher.recordProbe(err);
    if (!storage) log.error("writer operation failed", { op: op.kind, err });
    return { seq, ok: false, error: toWire(err, storage) };
  }
}

function freeBytes(dir: string): number {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return Infinity; // no statfs here: let the write itself decide
  }
}

/** The purge plan, read again whenever the schema changed (a table added is never missed). */
function purgePlan(): PurgePlan {
  const schema = (sqlite.query("PRAGMA schema_version").get() as { schema_version: number }).schema_version;
  if (plan?.schema !== schema) plan = { schema, plan: planPurge(sqlite) };
  return plan.plan;
}
