import type { Statement } from "bun:sqlite";
import type { EventRecord, IdempotencyRecord, PointRecord, SubmitOptions } from "./write-queue";
import { canonicalTags, type SeriesRegistry } from "./series-registry";

/** A raw point bound for the flush: own series, the metric's all-tags series, time, value. */
export type Row = { s: number; a: number; t: number; v: number };

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
  rows: Row[];
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
  const { registry, now } = ctx;
  const productId = job.productId;
  const points = job.points!;
  // Per request: series key → id (or -1 while it still has to be created) and its first point.
  const local = new Map<string, number>();
  const keys = new Array<string>(points.length);
  const canon = new Array<string>(points.length);
  const missing: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    const c = (canon[i] = canonicalTags(p.tags));
    const k = (keys[i] = p.metric + "\u0000" + c);
    if (local.has(k)) continue;
    const id = registry.find(productId, p.metric, c);
    local.set(k, id ?? -1);
    if (id === undefined) missing.push(i);
  }
  if (missing.length) registry.checkCapacity(productId, missing.length, points[missing[0]!]!.metric);
  for (const i of missing) local.set(keys[i]!, registry.create(productId, points[i]!.metric, canon[i]!, points[i]!.tags, now));
  const allTags = new Map<string, number>();
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let a = allTags.get(p.metric);
    if (a === undefined) allTags.set(p.metric, (a = registry.allTags(productId, p.metric, now)));
    ctx.rows.push({ s: local.get(keys[i]!)!, a, t: p.tsMs, v: p.value });
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
    ctx.rows.push({ s: ids.s, a: ids.a, t: e.tsMs, v: 1 });
  }
  return { accepted, duplicates };
}
