import type { ItemError } from "../lib/errors";
import { canonicalTags } from "./series-registry";
import type { Histogram } from "../lib/histogram";

/**
 * What crosses from the HTTP thread to the writer thread (DESIGN.md "Write path", wave 2): plain
 * data that structured clone copies, never a closure. The HTTP thread validates and builds a
 * batch; the writer commits it and answers by sequence number.
 */

/**
 * One tracker hit after enrichment (src/web/enrich/): what the writer needs to keep the visit
 * and the aggregates. No IP address: `visitorId` is already the keyed hash.
 */
export type WebHit = {
  tsMs: number;
  visitorId: number;
  /** The id the script keeps in attribution mode (for erasure and revenue), else null. */
  persistedId: string | null;
  /** 'pageview', 'engagement', or a custom event (goal) name. */
  name: string;
  hostname: string;
  pathname: string;
  /** Visit attributes, used when this hit starts a visit. */
  source: string | null;
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmContent: string | null;
  utmTerm: string | null;
  clickIds: string | null;
  country: string | null;
  region: string | null;
  device: string | null;
  browser: string | null;
  os: string | null;
  /** Custom properties, string → string. */
  props: Record<string, string> | null;
  engagedMs: number | null;
  scrollDepth: number | null;
  revenue: { amount: number; currency: string } | null;
  /** False for Plausible's non-interactive events (`i: false`): they do not make a visit "not a bounce". */
  interactive: boolean;
};
export type WebDropCount = { reason: string; n: number };

/** A validated point, ready to store. `tags` are checked (string → string, ≤ 20 keys). */
export type PointRecord = { metric: string; value: number; tsMs: number; tags: Record<string, string> };
/** A validated event; properties/context are JSON text (or null). */
export type EventRecord = {
  name: string;
  namespace: string | null;
  tsMs: number;
  id: string | null;
  userId: string | null;
  sessionId: string | null;
  visitorId: string | null;
  properties: string | null;
  context: string | null;
};
export type PointsResult = { accepted: number };
export type EventsResult = { accepted: number; duplicates: number };
/** What a request answered; an idempotent one is stored in the same transaction as its writes. */
export type Answer = { status: number; body: unknown };

/**
 * The Idempotency-Key record of a batch. The stored answer is computed in the writer from the
 * batch's result and `errors` (the items `?partial=1` refused) by `answerFor`, the same function
 * the HTTP thread answers with — so replay and first answer cannot differ.
 */
export type IdempotencyStamp = { key: string; bodyHash: string; errors: ItemError[] };

type BatchBase = {
  productId: string;
  /** The request's clock reading (series created_at, idempotency and last-used stamps). */
  now: number;
  /** Stamped into api_keys.last_used_at at most once a minute. */
  apiKeyId: string | null;
  idempotency: IdempotencyStamp | null;
};

/**
 * Points in columns: the distinct series of the request once (metric + canonical tags), then
 * one slot index, timestamp and value per point in typed arrays, which structured clone copies
 * as memory rather than walking 1000 objects.
 */
export type PointsBatch = BatchBase & {
  kind: "points";
  series: { metric: string; canonical: string; tags: Record<string, string> }[];
  slot: Uint32Array;
  ts: Float64Array;
  value: Float64Array;
};
/** What a points batch carries besides the request's stamps; a parser may build it directly (src/dropins/influx/). */
export type PointColumns = Pick<PointsBatch, "series" | "slot" | "ts" | "value">;
export type EventsBatch = BatchBase & { kind: "events"; events: EventRecord[] };
/** A verified provider webhook's revenue events (src/revenue/), deduplicated by provider event id. */
export type RevenueBatch = BatchBase & { kind: "revenue"; provider: string; events: import("../revenue/types").RevenueEvent[] };
export type RevenueResult = { accepted: number; duplicates: number };
/** Enriched tracker hits and drop counts of the web endpoints (src/web/ingest/, src/writer/web/). */
export type WebBatch = BatchBase & { kind: "web"; hits: WebHit[]; drops: WebDropCount[] };
export type WriteBatch = PointsBatch | EventsBatch | WebBatch | RevenueBatch;
/** `accepted`: hits stored (an engagement ping with no visit to join is not); `pageviews` among them (usage). */
export type WebResult = { accepted: number; pageviews: number };
export type BatchResult = PointsResult | EventsResult | WebResult | RevenueResult;

/** The codes of an ingestion kind's per-item errors (DESIGN.md, Settled details). */
export const ERROR_CODES = { points: "invalid_points", events: "invalid_events", web: "invalid_events", revenue: "invalid_webhook" } as const;

/** 200 with the result, or 207 with the errors of the items `?partial=1` left out. */
export function answerFor(kind: WriteBatch["kind"], result: BatchResult, errors: ItemError[]): Answer {
  // A repeated event id is not an error: `duplicates` says how many were already stored.
  const body = "duplicates" in result && result.duplicates === 0 ? { accepted: result.accepted } : { ...result };
  if (errors.length === 0) return { status: 200, body };
  return { status: 207, body: { ...body, error: ERROR_CODES[kind], errors } };
}

/** Records or columns, as a request's points reach the queue. */
export const columnsOf = (points: PointRecord[] | PointColumns): PointColumns => (Array.isArray(points) ? pointsColumns(points) : points);
export const pointCount = (points: PointRecord[] | PointColumns): number => (Array.isArray(points) ? points.length : points.slot.length);

type Slot = { index: number };
/** Per request: metric → tag key → tag value → … → slot. Walking maps of strings that JSON.parse
 * made beats building and hashing one key string per point (measured ~40 ns against ~130 ns). */
type Trie = Map<string, Trie | Slot>;
const LEAF = "\u0000"; // tag keys never contain it

/** Columns of a request's points; two spellings (key orders) of one tag set share a slot. */
export function pointsColumns(points: PointRecord[]): PointColumns {
  const n = points.length;
  const series: PointsBatch["series"] = [];
  const byCanonical = new Map<string, number>();
  const slot = new Uint32Array(n);
  const ts = new Float64Array(n);
  const value = new Float64Array(n);
  const root: Trie = new Map();
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    let node = root.get(p.metric) as Trie | undefined;
    if (!node) root.set(p.metric, (node = new Map()));
    for (const k in p.tags) {
      let byValue = node.get(k) as Trie | undefined;
      if (!byValue) node.set(k, (byValue = new Map()));
      const v = p.tags[k]!;
      let next = byValue.get(v) as Trie | undefined;
      if (!next) byValue.set(v, (next = new Map()));
      node = next;
    }
    let leaf = node.get(LEAF) as Slot | undefined;
    if (!leaf) {
      const canonical = canonicalTags(p.tags);
      const key = p.metric + LEAF + canonical;
      let index = byCanonical.get(key);
      if (index === undefined) {
        index = series.length;
        series.push({ metric: p.metric, canonical, tags: p.tags });
        byCanonical.set(key, index);
      }
      node.set(LEAF, (leaf = { index }));
    }
    slot[i] = leaf.index;
    ts[i] = p.tsMs;
    value[i] = p.value;
  }
  return { series, slot, ts, value };
}

/** How an error crosses back from the writer (an AppError's class does not survive cloning). */
export type WireError = { status: number; code: string; message: string; field?: string; retryAfter?: number };

/**
 * One turn's batches on the wire: everything but the point columns as one JSON string, and the
 * columns of all its points concatenated into three typed arrays whose memory is transferred,
 * not copied. Measured: structured clone of 27 small batch objects with their own typed arrays
 * took ~1.1 ms per message on a busy core; a string and three transferred buffers take µs.
 */
export type PackedBatches = { json: string; slot: Uint32Array; ts: Float64Array; value: Float64Array };
type PackedMeta = { seq: number; batch: Omit<PointsBatch, "slot" | "ts" | "value"> & { at: number; n: number } } | { seq: number; batch: EventsBatch | WebBatch | RevenueBatch };

export function packBatches(items: { seq: number; batch: WriteBatch }[]): PackedBatches {
  let total = 0;
  for (const { batch } of items) if (batch.kind === "points") total += batch.slot.length;
  const slot = new Uint32Array(total);
  const ts = new Float64Array(total);
  const value = new Float64Array(total);
  let at = 0;
  const meta: PackedMeta[] = items.map(({ seq, batch }) => {
    if (batch.kind !== "points") return { seq, batch };
    const { slot: s, ts: t, value: v, ...rest } = batch;
    slot.set(s, at);
    ts.set(t, at);
    value.set(v, at);
    const entry = { seq, batch: { ...rest, at, n: s.length } };
    at += s.length;
    return entry;
  });
  return { json: JSON.stringify(meta), slot, ts, value };
}

export function unpackBatches(packed: PackedBatches): { seq: number; batch: WriteBatch }[] {
  const meta = JSON.parse(packed.json) as PackedMeta[];
  return meta.map(({ seq, batch }) => {
    if (batch.kind !== "points") return { seq, batch };
    const { at, n, ...rest } = batch as PackedMeta["batch"] & { at: number; n: number };
    return {
      seq,
      batch: { ...(rest as Omit<PointsBatch, "slot" | "ts" | "value">), slot: packed.slot.subarray(at, at + n), ts: packed.ts.subarray(at, at + n), value: packed.value.subarray(at, at + n) },
    };
  });
}

/** Main thread → writer. */
export type ToWriter =
  | { type: "batches"; packed: PackedBatches }
  | { type: "op"; seq: number; op: WriterOp }
  | { type: "touch"; keyId: string; now: number }
  | { type: "close" };
/** Maintenance that writes data tables, run by the writer between flushes. */
export type WriterOp =
  | { kind: "purge"; productId: string; batchSize: number }
  | { kind: "expire-idempotency"; cutoff: number; limit: number }
  | { kind: "forget-product"; productId: string }
  /** Does nothing: answered once everything sent before it is committed (flushNow). */
  | { kind: "sync" }
  /** The read barrier of web queries: answered once the pre-aggregates hold every committed hit (every op folds first). */
  | { kind: "fold-web" }
  | { kind: "retention-points"; productId: string; before: number; limit: number }
  | { kind: "retention-events"; productId: string; before: number; scope: { namespace: string } | { exclude: string[] }; limit: number }
  | { kind: "retention-web"; productId: string; before: number; limit: number }
  | { kind: "erase-person"; productId: string; person: string; after: number; limit: number }
  | { kind: "rebuild-user-days"; productId: string; zone: string; after: number; limit: number }
  | { kind: "probe" };
/** Writer → main thread. */
export type FromWriter =
  | { type: "ready" }
  /** A WriterDone as JSON text: measured, structured clone of a 64-result answer took ~110 µs of the writer's CPU, JSON ~17 µs. */
  | { type: "done"; json: string }
  | ({ type: "closed" } & WriterStats)
  | { type: "fatal"; message: string };
/** The writer's answer after a run of flushes and ops (sent as JSON, see FromWriter). */
export type WriterDone = {
  /** How many "batches" messages the writer has committed (or refused) so far: all it received. */
  received: number;
  results: ({ seq: number; ok: true; value: unknown } | { seq: number; ok: false; error: WireError })[];
  health: WriterHealth;
  stats: WriterStats;
  /** Committed hits may still wait in web_fold_journal (a web query must ask for a fold). */
  webFoldPending: boolean;
};
/** What the writer committed since it started, and how long its flushes and COMMITs took. */
export type WriterStats = { flushes: number; points: number; events: number; flushSeconds: Histogram; commitSeconds: Histogram };
/** Whether the last write reached the disk (a full disk or an I/O error says why not). */
export type WriterHealth = { ok: true } | { ok: false; code: "storage_unavailable"; reason: string };
