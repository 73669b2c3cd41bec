import type { Statement } from "bun:sqlite";
import type { EventRecord, IdempotencyRecord, PointRecord, SubmitOptions } from "./write-queue";
import { canonicalTags, type SeriesRegistry } from "./series-registry";

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

/**
 * A cheap, unambiguous key for a tag set within one request: validated tag keys and values
 * hold no control characters, so \u0001 and \u0002 cannot occur inside them.
 */
function tagKey(tags: Record<string, string>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return "";
  if (keys.length > 1) keys.sort();
  let out = "";
  for (const k of keys) out += k + "\u0001" + tags[k] + "\u0002";
  return out;
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
  registry: SeriesRegistry;
  rows: Rows;
  now: number;
  insertEvent: Statement;
  insertIdempotency: Statement;
};

const EMPTY_TAGS = "{}";

/**
 * One request's share of a flush, inside the flush transaction. Anything it refuses (the series
 * limit) is thrown before it writes, so a refused request changes nothing.
 */
export function writeJob(job: Job, ctx: FlushContext) {
  job.result = job.kind === "points" ? writePoints(job, ctx) : writeEvents(job, ctx);
  const idem = job.opts.idempotency as IdempotencyRecord<unknown> | undefined;
  if (idem) {
    const answer = idem.answer(job.result);
    ctx.insertIdempotency.run(job.productId, idem.key, idem.bodyHash, answer.status, JSON.stringify(answer.body), ctx.now);
  }
}

function writePoints(job: Job, ctx: FlushContext) {
  const { registry, now, rows } = ctx;
  const productId = job.productId;
  const points = job.points!;
  // Per request: metric + tag key → series id (-1 while it still has to be created).
  const local = new Map<string, number>();
  const keys = new Array<string>(points.length);
  const missing: { index: number; canonical: string }[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const k = (keys[i] = p.metric + "\u0000" + tagKey(p.tags));
    if (local.has(k)) continue;
    const canonical = canonicalTags(p.tags);
    const id = registry.find(productId, p.metric, canonical);
    local.set(k, id ?? -1);
    if (id === undefined) missing.push({ index: i, canonical });
  }
  if (missing.length) registry.checkCapacity(productId, missing.length, points[missing[0]!.index]!.metric);
  for (const { index, canonical } of missing) {
    const p = points[index]!;
    local.set(keys[index]!, registry.create(productId, p.metric, canonical, p.tags, now));
  }
  let lastMetric = "";
  let a = -1;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.metric !== lastMetric) (lastMetric = p.metric), (a = registry.allTags(productId, p.metric, now));
    pushRow(rows, local.get(keys[i]!)!, a, p.tsMs, p.value);
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
