import type { Statement } from "bun:sqlite";
import type { EventRecord, IdempotencyRecord, PointRecord, SubmitOptions } from "./write-queue";
import { canonicalTags, type SeriesRegistry } from "./series-registry";
import { notFound } from "../lib/errors";

/** A flush's raw points of one series (`a`: the metric's all-tags series), kept in arrival order. */
export type SeriesRows = { s: number; a: number; t: number[]; v: number[]; sorted: boolean };
export type Rows = Map<number, SeriesRows>;

function pushRow(rows: Rows, s: number, a: number, t: number, v: number) {
  let g = rows.get(s);
  if (!g) rows.set(s, (g = { s, a, t: [], v: [], sorted: true }));
  const n = g.t.length;
  if (n > 0 && t < g.t[n - 1]!) g.sorted = false;
  g.t.push(t);
  g.v.push(v);
}

export type Job = {
  kind: "points" | "events";
  productId: string;
  points?: PointRecord[];
  events?: EventRecord[];
  size: number;
  opts: SubmitOptions<never>;
  resolve(result: unknown): void;
  reject(err: unknown): void;
  result?: unknown;
  error?: unknown;
};

type FlushContext = {
  /** Whether the product still exists (a delete may land while its requests wait in the queue). */
  productExists(productId: string): boolean;
  registry: SeriesRegistry;
  rows: Rows;
  now: number;
  insertEvent: Statement;
  insertIdempotency: Statement;
};

const EMPTY_TAGS = "{}";

/**
 * One request's share of a flush, inside the flush transaction. Anything it refuses (a deleted
 * product, the series limit) is thrown before it writes, so a refused request changes nothing.
 */
export function writeJob(job: Job, ctx: FlushContext) {
  // Writing after the delete would leave rows the purge job has already finished with.
  if (!ctx.productExists(job.productId)) {
    ctx.registry.forgetProduct(job.productId);
    throw notFound("This product no longer exists");
  }
  job.result = job.kind === "points" ? writePoints(job, ctx) : writeEvents(job, ctx);
  const idem = job.opts.idempotency as IdempotencyRecord<unknown> | undefined;
  if (idem) {
    const answer = idem.answer(job.result);
    ctx.insertIdempotency.run(job.productId, idem.key, idem.bodyHash, answer.status, JSON.stringify(answer.body), ctx.now);
  }
}

type Slot = { id: number };
/** Per request: metric → tag key → tag value → … → slot. Walking maps of strings that JSON.parse
 * made beats building and hashing one key string per point (measured ~40 ns against ~130 ns). */
type Trie = Map<string, Trie | Slot>;
const LEAF = "\u0000"; // tag keys never contain it

function writePoints(job: Job, ctx: FlushContext) {
  const { registry, now, rows } = ctx;
  const productId = job.productId;
  const points = job.points!;
  const root: Trie = new Map();
  // New series by metric + canonical tags: two spellings (key orders) of one tag set share a slot.
  const missing = new Map<string, { index: number; canonical: string; slot: Slot }>();
  const slots = new Array<Slot>(points.length);
  for (let i = 0; i < points.length; i++) {
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
    let slot = node.get(LEAF) as Slot | undefined;
    if (!slot) {
      const canonical = canonicalTags(p.tags);
      const id = registry.find(productId, p.metric, canonical);
      if (id !== undefined) slot = { id };
      else {
        const key = p.metric + LEAF + canonical;
        slot = missing.get(key)?.slot ?? { id: -1 };
        if (!missing.has(key)) missing.set(key, { index: i, canonical, slot });
      }
      node.set(LEAF, slot);
    }
    slots[i] = slot;
  }
  if (missing.size) registry.checkCapacity(productId, missing.size, points[missing.values().next().value!.index]!.metric);
  for (const m of missing.values()) {
    const p = points[m.index]!;
    m.slot.id = registry.create(productId, p.metric, m.canonical, p.tags, now);
  }
  let lastMetric = "";
  let a = -1;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.metric !== lastMetric) (lastMetric = p.metric), (a = registry.allTags(productId, p.metric, now));
    pushRow(rows, slots[i]!.id, a, p.tsMs, p.value);
  }
  return { accepted: points.length };
}

/** Each stored event also adds 1, untagged, to the series `event:<name>`. */
function writeEvents(job: Job, ctx: FlushContext) {
  const { registry } = ctx;
  const productId = job.productId;
  const events = job.events!;
  const newNames: string[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    if (registry.find(productId, "event:" + e.name, EMPTY_TAGS) === undefined) newNames.push(e.name);
  }
  if (newNames.length) registry.checkCapacity(productId, newNames.length, "event:" + newNames[0]);
  let accepted = 0;
  let duplicates = 0;
  const series = new Map<string, { s: number; a: number }>();
  for (const e of events) {
    const { changes } = ctx.insertEvent.run(productId, e.id, e.tsMs, e.name, e.namespace, e.userId, e.sessionId, e.visitorId, e.properties, e.context);
    if (changes === 0) {
      duplicates++;
      continue;
    }
    accepted++;
    let ids = series.get(e.name);
    if (!ids) {
      const metric = "event:" + e.name;
      const s = registry.find(productId, metric, EMPTY_TAGS) ?? registry.create(productId, metric, EMPTY_TAGS, {}, ctx.now);
      ids = { s, a: registry.allTags(productId, metric, ctx.now) };
      series.set(e.name, ids);
    }
    pushRow(ctx.rows, ids.s, ids.a, e.tsMs, 1);
  }
  return { accepted, duplicates };
}
