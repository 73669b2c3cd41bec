import { availableParallelism } from "node:os";
import type { Logger } from "../lib/log";
import type { Clock } from "../lib/clock";
import type { RevenueEvent } from "../revenue/types";
import { AppError } from "../lib/errors";
import { workerUrl } from "../lib/assets";
import { newHistogram } from "../lib/histogram";
import type { ItemError } from "../lib/errors";
import {
  columnsOf,
  packBatches,
  type EventRecord,
  type EventsResult,
  type FromWriter,
  type PointColumns,
  type PointRecord,
  type PointsResult,
  type ToWriter,
  type WireError,
  type WebDropCount,
  type WebHit,
  type WebResult,
  type RevenueResult,
  type WriteBatch,
  type WriterDone,
  type WriterHealth,
  type WriterOp,
  type WriterStats,
} from "./batch";
import type { EraseStep } from "./erase";
import type { RebuildStep } from "./user-days";
import type { WriterInit } from "./thread";

export type SubmitOptions = { apiKeyId?: string; idempotency?: { key: string; bodyHash: string; errors: ItemError[] } };

/** THE write path for data tables, as the HTTP thread sees it: submit, and wait for COMMIT. */
export type WriteQueue = {
  /** Resolves after the COMMIT that stored the points (so an answered request is on disk); records or ready columns. */
  submitPoints(productId: string, points: PointRecord[] | PointColumns, opts?: SubmitOptions): Promise<PointsResult>;
  /** Events with an `id` the product already has are not stored again (counted as duplicates). */
  submitEvents(productId: string, events: EventRecord[], opts?: SubmitOptions): Promise<EventsResult>;
  /** Enriched tracker hits and drop counts of one product; resolves after COMMIT. */
  submitWeb(productId: string, hits: WebHit[], drops: WebDropCount[]): Promise<WebResult>;
  /** A verified webhook's revenue events; resolves after COMMIT with how many were new. */
  submitRevenue(productId: string, provider: string, events: RevenueEvent[]): Promise<RevenueResult>;
  /** Resolves once everything submitted before it is committed (or refused). */
  flushNow(): Promise<void>;
  /**
   * The read barrier of web queries: resolves once the web pre-aggregates hold every hit committed
   * before it (the writer folds them a few hundred ms after commit, src/writer/web/journal.ts).
   * Answers at once when the writer said nothing is waiting; never fails (a query may then read
   * what the aggregates hold).
   */
  foldWeb(): Promise<void>;
  /** Deletes at most `batchSize` data rows of a deleted product; 0 = none left. */
  purgeBatch(productId: string, batchSize: number): Promise<number>;
  /** Deletes at most `limit` idempotency keys created at or before `cutoff`. */
  expireIdempotency(cutoff: number, limit: number): Promise<number>;
  /** Retention: at most `limit` raw points of the product older than `before` (records the cut). */
  deleteOldPoints(productId: string, before: number, limit: number): Promise<number>;
  /** Retention: at most `limit` events older than `before`, of one namespace or of all but `exclude`. */
  deleteOldEvents(productId: string, before: number, scope: { namespace: string } | { exclude: string[] }, limit: number): Promise<number>;
  /** Retention: at most `limit` raw web hits (then visits) of the product older than `before`; aggregates stay. */
  deleteOldWeb(productId: string, before: number, limit: number): Promise<number>;
  /** Erasure: at most `limit` of a person's events from the cursor `after` on (src/writer/erase.ts). */
  erasePersonBatch(productId: string, person: string, after: number, limit: number): Promise<EraseStep>;
  /** User-day rows of a zone from events after `after` (src/writer/user-days.ts); `done` marks the zone complete. */
  rebuildUserDays(productId: string, zone: string, after: number, limit: number): Promise<RebuildStep>;
  /** Drop cached series ids of a product whose data was purged. */
  forgetProduct(productId: string): Promise<void>;
  /** A key was used by a request that writes nothing: last_used_at within a second, at most once a minute. */
  touchKey(keyId: string, now: number): void;
  /** Whether the last write reached the disk; `probe` tries a real write now. */
  health(): WriterHealth;
  probe(): Promise<WriterHealth>;
  /** Starts the writer thread now (otherwise at the first write). */
  start(): Promise<void>;
  /** Stop taking writes, commit what is queued, close the writer's connection. */
  close(): Promise<void>;
  /** Committed so far and flush/commit latency (from the writer's last answer); inflight = batches and ops waiting. */
  stats(): WriterStats & { inflight: number };
};

export type WriteQueueDeps = {
  init: Omit<WriterInit, "logLevel"> & { logLevel: WriterInit["logLevel"] };
  log: Logger;
  /** Stamps each batch (series created_at, idempotency and last-used times): tests fix it. */
  clock: Clock;
  /** The writer thread died: nothing more can be acknowledged (main exits the process). */
  onFatal(err: Error): void;
  /** The thread's entry (tests start one that fails on purpose); the real one by default. */
  entry?: string;
  /** Whether this process has one core to run on (see ONE_CORE_GATHER_MS); asked of the OS by default. */
  oneCore?: boolean;
};

type Waiter = { resolve(value: unknown): void; reject(err: unknown): void };

const TOUCH_EVERY_MS = 60_000;
// Messages of batches posted and not yet committed: one being flushed, one waiting for the next
// flush. More would only cost the HTTP thread a postMessage each (measured: the largest single
// cost of a single-point request under 64 connections), since the writer takes everything that
// arrived while it was busy into one flush anyway; what is submitted meanwhile waits in the
// outbox and goes as one message when the writer answers.
const MAX_IN_FLIGHT = 2;
// On one core (how the bench pins the server; a small VPS) the HTTP thread and the writer never
// run at once, so a second message in flight buys no overlap: it only splits the concurrent
// requests into two groups that commit, and fsync, in turn (64 connections gave ~32 hits per
// flush, and a flush's fsync cost 200–600 µs of CPU on the test VM). There one message is in
// flight, and an idle writer gets the next one once as many writes wait as were waiting when it
// last answered (the message it committed and what queued meanwhile), or ONE_CORE_GATHER_MS after
// the first of them: a lone client is never held back (one write was waiting). Measured on R14's
// page views (64 connections, server on one core, shared machine, 3 runs each): ~31 → ~44 hits
// per flush, the writer's CPU 40–41 → 33–39 µs per page view.
const ONE_CORE_GATHER_MS = 1;

const shuttingDown = () => new AppError(503, "shutting_down", "The server is shutting down; retry in a moment", { headers: { "Retry-After": "1" } });

/**
 * The HTTP thread's side of the writer (src/writer/thread.ts). Batches submitted within one turn
 * of the event loop go to the writer in one message; each waits for its answer by sequence
 * number, which the writer sends only after COMMIT. A writer thread that dies fails every
 * waiting request (nothing is acknowledged that was not committed) and calls onFatal.
 */
export function createWriteQueue(deps: WriteQueueDeps): WriteQueue {
  let worker: Worker | null = null;
  let starting: Promise<Worker> | null = null;
  let outbox: { seq: number; batch: WriteBatch }[] = [];
  let posting = false;
  let posted = 0; // "batches" messages sent
  let committed = 0; // of them, flushed by the writer (its last "done")
  const waiters = new Map<number, Waiter>();
  let seq = 0;
  let health: WriterHealth = { ok: true };
  let stats: WriterStats = { flushes: 0, points: 0, events: 0, flushSeconds: newHistogram(), commitSeconds: newHistogram() };
  let dead: Error | null = null;
  let closed = false;
  let closing: Promise<void> | null = null;
  let onClosed: (() => void) | null = null;
  const touched = new Map<string, number>();
  // Whether committed hits may wait in the fold journal: unknown (true) until the writer says.
  let webFoldPending = true;
  const oneCore = deps.oneCore ?? availableParallelism() === 1;
  const maxInFlight = oneCore ? 1 : MAX_IN_FLIGHT;
  let gatherTarget = 0; // writes waiting when the writer last answered
  let gathering: ReturnType<typeof setTimeout> | null = null;

  function start(): Promise<Worker> {
    starting ??= new Promise<Worker>((resolve, reject) => {
      const w = new Worker(deps.entry ?? workerUrl("writer/thread.ts"));
      w.onmessage = (event: MessageEvent<FromWriter>) => {
        const msg = event.data;
        if (msg.type === "ready") return resolve((worker = w));
        if (msg.type === "done") {
          const done = JSON.parse(msg.json) as WriterDone;
          health = done.health;
          stats = done.stats;
          committed = done.received;
          webFoldPending = done.webFoldPending;
          gatherTarget = waiters.size;
          for (const r of done.results) {
            const waiter = waiters.get(r.seq);
            if (!waiter) continue;
            waiters.delete(r.seq);
            if (r.ok) waiter.resolve(r.value);
            else waiter.reject(fromWire(r.error));
          }
          if (outbox.length) schedulePost();
        } else if (msg.type === "closed") {
          const { type: _closed, ...last } = msg;
          stats = last;
          onClosed?.();
        }
      };
      w.onerror = (event) => {
        event.preventDefault?.();
        die(new Error(`the writer thread failed: ${event.message}`), reject);
      };
      w.addEventListener("close", () => {
        if (!closed) die(new Error("the writer thread exited"), reject);
      });
      w.postMessage({ type: "init", init: deps.init });
    });
    return starting;
  }

  function die(err: Error, reject: (err: unknown) => void) {
    if (dead) return;
    dead = err;
    health = { ok: false, code: "storage_unavailable", reason: err.message };
    deps.log.error("writer thread died; no further write can be acknowledged", { err });
    const failure = writerDown();
    for (const w of waiters.values()) w.reject(failure);
    waiters.clear();
    onClosed?.();
    reject(err);
    deps.onFatal(err);
  }

  const writerDown = () => new AppError(503, "storage_unavailable", "Nothing was stored: the writer is not running.", { headers: { "Retry-After": "30" } });

  function enqueue<R>(send: (seq: number) => void): Promise<R> {
    if (dead) return Promise.reject(writerDown());
    if (closed) return Promise.reject(shuttingDown());
    const id = ++seq;
    const promise = new Promise<R>((resolve, reject) => waiters.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    send(id);
    return promise;
  }

  function submit<R>(batch: WriteBatch): Promise<R> {
    return enqueue<R>((id) => {
      outbox.push({ seq: id, batch });
      schedulePost();
    });
  }

  /** One message per turn of the event loop, holding every batch of that turn — unless the writer has enough to do already. */
  function schedulePost() {
    if (posting || posted - committed >= maxInFlight) return;
    if (oneCore && outbox.length < gatherTarget) {
      gathering ??= setTimeout(() => {
        gathering = null;
        if (!posting && posted - committed < maxInFlight && outbox.length) startPost();
      }, ONE_CORE_GATHER_MS);
      return;
    }
    startPost();
  }

  function startPost() {
    posting = true;
    setImmediate(() => void postOutbox());
  }

  async function postOutbox() {
    if (gathering) clearTimeout(gathering), (gathering = null);
    const w = worker ?? (await start().catch(() => null));
    posting = false;
    const items = outbox;
    outbox = [];
    if (!w || !items.length) return;
    const packed = packBatches(items);
    posted++;
    w.postMessage({ type: "batches", packed } satisfies ToWriter, [packed.slot.buffer, packed.ts.buffer, packed.value.buffer]);
  }

  const send = (w: Worker, msg: ToWriter) => w.postMessage(msg);

  function op<R>(o: WriterOp): Promise<R> {
    return enqueue<R>((id) => {
      void (async () => {
        await flushOutbox();
        const w = worker ?? (await start().catch(() => null));
        if (w) send(w, { type: "op", seq: id, op: o });
      })();
    });
  }

  /** Batches waiting for this turn's post go first, so an op sees them committed. */
  async function flushOutbox() {
    if (outbox.length) await postOutbox();
  }

  const queue: WriteQueue = {
    submitPoints: (productId, points, opts = {}) =>
      submit({ kind: "points", productId, now: deps.clock.now(), apiKeyId: opts.apiKeyId ?? null, idempotency: opts.idempotency ?? null, ...columnsOf(points) }),
    submitEvents: (productId, events, opts = {}) =>
      submit({ kind: "events", productId, now: deps.clock.now(), apiKeyId: opts.apiKeyId ?? null, idempotency: opts.idempotency ?? null, events }),
    submitWeb: (productId, hits, drops) => ((webFoldPending = true), submit({ kind: "web", productId, now: deps.clock.now(), apiKeyId: null, idempotency: null, hits, drops })),
    submitRevenue: (productId, provider, events) => submit({ kind: "revenue", productId, now: deps.clock.now(), apiKeyId: null, idempotency: null, provider, events }),
    flushNow: async () => {
      if (!worker && !starting) return;
      await op({ kind: "sync" });
    },
    foldWeb: async () => {
      if ((!worker && !starting) || !webFoldPending || dead) return;
      await op({ kind: "fold-web" }).catch(() => {});
    },
    purgeBatch: (productId, batchSize) => op<number>({ kind: "purge", productId, batchSize }),
    expireIdempotency: (cutoff, limit) => op<number>({ kind: "expire-idempotency", cutoff, limit }),
    forgetProduct: (productId) => op<void>({ kind: "forget-product", productId }),
    deleteOldPoints: (productId, before, limit) => op<number>({ kind: "retention-points", productId, before, limit }),
    deleteOldEvents: (productId, before, scope, limit) => op<number>({ kind: "retention-events", productId, before, scope, limit }),
    deleteOldWeb: (productId, before, limit) => op<number>({ kind: "retention-web", productId, before, limit }),
    erasePersonBatch: (productId, person, after, limit) => op<EraseStep>({ kind: "erase-person", productId, person, after, limit }),
    rebuildUserDays: (productId, zone, after, limit) => op<RebuildStep>({ kind: "rebuild-user-days", productId, zone, after, limit }),
    touchKey(keyId, now) {
      // The writer stamps at most once a minute per key anyway; this spares the message too.
      if (dead || closed || now - (touched.get(keyId) ?? -Infinity) < TOUCH_EVERY_MS) return;
      if (touched.size >= 10_000) touched.clear();
      touched.set(keyId, now);
      void start().then((w) => send(w, { type: "touch", keyId, now })).catch(() => {});
    },
    health: () => health,
    probe: async () => {
      if (dead) return health;
      try {
        return await op<WriterHealth>({ kind: "probe" });
      } catch {
        return health;
      }
    },
    start: async () => {
      await start();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (!starting || dead) return;
        const w = await start().catch(() => null);
        if (!w) return;
        await flushOutbox();
        await new Promise<void>((resolve) => {
          onClosed = resolve;
          send(w, { type: "close" });
        });
        w.terminate();
        deps.log.info("write queue drained", { flushes: stats.flushes, points: stats.points, events: stats.events });
      })();
      return closing;
    },
    stats: () => ({ ...stats, inflight: waiters.size }),
  };
  return queue;
}

function fromWire(e: WireError): AppError {
  return new AppError(e.status, e.code, e.message, {
    ...(e.field ? { field: e.field } : {}),
    ...(e.retryAfter ? { headers: { "Retry-After": String(e.retryAfter) } } : {}),
  });
}
