/**
 * The writer thread (a Bun Worker): the ONE owner of the write connection for data tables.
 * The HTTP thread posts validated batches; this thread gathers whatever arrived while it was
 * busy, commits it in one transaction, and answers each batch by sequence number after COMMIT.
 * Group commit needs no timer here: a flush (and its fsync) takes the thread, so the requests
 * that arrive meanwhile form the next group by themselves.
 */
import type { Database } from "bun:sqlite";
import { openDatabase, closeDatabase } from "../db/connection";
import { createLogger, type LogLevel } from "../lib/log";
import { createFlusher, storageProblem, toWire, type FlushItem, type FlushResult, type Flusher } from "./flush";
import { expireIdempotencyBatch, planPurge, purgeBatch, type PurgePlan } from "./purge";
import type { FromWriter, ToWriter, WriterOp } from "./batch";

export type WriterInit = { dbPath: string; sync: "full" | "normal"; maxSeriesPerProduct: number; logLevel: LogLevel };

// A flush takes whole batches up to this many points; the rest go in the next transaction.
const MAX_FLUSH_POINTS = 20_000;
// Last-used stamps of keys that write nothing (read keys) wait at most this long for a flush.
const TOUCH_FLUSH_MS = 1_000;

declare const self: Worker;

let sqlite: Database;
let flusher: Flusher;
let plan: PurgePlan | null = null;
let log = createLogger("info");
let pending: FlushItem[] = [];
let ops: { seq: number; op: WriterOp }[] = [];
let scheduled = false;
let touchTimer: ReturnType<typeof setTimeout> | null = null;
let closing = false;

const post = (msg: FromWriter) => self.postMessage(msg);

self.onmessage = (event: MessageEvent<ToWriter | { type: "init"; init: WriterInit }>) => {
  const msg = event.data;
  switch (msg.type) {
    case "init":
      log = createLogger(msg.init.logLevel);
      sqlite = openDatabase(msg.init.dbPath, { sync: msg.init.sync }).$client;
      flusher = createFlusher(sqlite, { maxSeriesPerProduct: msg.init.maxSeriesPerProduct });
      post({ type: "ready" });
      return;
    case "batches":
      for (const item of msg.items) pending.push(item);
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
  if (flusher.hasTouches() && (!touchTimer || closing)) results.push(...flusher.flush([]));
  const todo = ops;
  ops = [];
  for (const { seq, op } of todo) results.push(runOp(seq, op));
  if (results.length) post({ type: "done", results, health: flusher.health(), stats: flusher.stats() });
  if (closing) {
    if (touchTimer) clearTimeout(touchTimer);
    closeDatabase({ $client: sqlite } as never);
    post({ type: "closed", ...flusher.stats() }); // the main thread terminates this worker
  }
}

const sizeOf = (item: FlushItem) => (item.batch.kind === "points" ? item.batch.slot.length : item.batch.events.length);

function runOp(seq: number, op: WriterOp): FlushResult {
  try {
    switch (op.kind) {
      case "purge":
        plan ??= planPurge(sqlite);
        return { seq, ok: true, value: purgeBatch(sqlite, plan, op.productId, op.batchSize) };
      case "expire-idempotency":
        return { seq, ok: true, value: expireIdempotencyBatch(sqlite, op.cutoff, op.limit) };
      case "forget-product":
        flusher.forgetProduct(op.productId);
        return { seq, ok: true, value: null };
      case "probe":
        // A write transaction that touches nothing would not need space; a real page write does.
        sqlite.exec("BEGIN IMMEDIATE; INSERT INTO writer_probe (id, at) VALUES (1, unixepoch()) ON CONFLICT (id) DO UPDATE SET at = excluded.at; COMMIT");
        flusher.recordProbe(null);
        return { seq, ok: true, value: flusher.health() };
    }
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec("ROLLBACK");
    const storage = storageProblem(err);
    if (op.kind === "probe") flusher.recordProbe(err);
    if (!storage) log.error("writer operation failed", { op: op.kind, err });
    return { seq, ok: false, error: toWire(err, storage) };
  }
}
