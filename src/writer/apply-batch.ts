import type { Statement } from "bun:sqlite";
import type { SeriesRegistry } from "./series-registry";
import type { BatchResult, EventsBatch, PointsBatch, WriteBatch } from "./batch";
import type { WebWriter } from "./web/web-writer";
import type { RevenueWriter } from "./revenue";
import { answerFor } from "./batch";
import { notFound } from "../lib/errors";
import type { EventsSink } from "../storage/events-plane";
import type { SchemaFold } from "./event-schemas";
import type { FlushHooks } from "../webhooks/writer-hooks";

/** A flush's raw points of one series (`a`: the metric's all-tags series, `p`: its product), kept in arrival order. */
export type SeriesRows = { p: string; s: number; a: number; t: number[]; v: number[]; sorted: boolean };
export type Rows = Map<number, SeriesRows>;

function pushRow(rows: Rows, p: string, s: number, a: number, t: number, v: number) {
  let g = rows.get(s);
  if (!g) rows.set(s, (g = { p, s, a, t: [], v: [], sorted: true }));
  const n = g.t.length;
  if (n > 0 && t < g.t[n - 1]!) g.sorted = false;
  g.t.push(t);
  g.v.push(v);
}

export type ApplyContext = {
  /** Whether the product still exists (a delete may land while its requests wait in the queue). */
  productExists(productId: string): boolean;
  registry: SeriesRegistry;
  rows: Rows;
  /** Where this request's events go (src/storage/events-plane.ts); `token` deduplicates an idempotent request's insert. */
  events: EventsSink;
  token: string | null;
  insertIdempotency: Statement;
  /** Visits, raw hits and pre-aggregates of the web tracker (src/writer/web/). */
  web: WebWriter;
  /** Revenue events of provider webhooks (src/writer/revenue.ts). */
  revenue: RevenueWriter;
  schemas: SchemaFold;
  /** Product webhooks: outbox rows for what this flush stores (src/webhooks/writer-hooks.ts). */
  hooks: FlushHooks;
};

const EMPTY_TAGS = "{}";

/**
 * One request's share of a flush, inside the flush transaction. Anything it refuses (a deleted
 * product, the series limit) is thrown before it writes, so a refused request changes nothing.
 */
export function applyBatch(batch: WriteBatch, ctx: ApplyContext): BatchResult {
  // Writing after the delete would leave rows the purge job has already finished with.
  if (!ctx.productExists(batch.productId)) {
    ctx.registry.forgetProduct(batch.productId);
    throw notFound("This product no longer exists");
  }
  const result =
    batch.kind === "points" ? applyPoints(batch, ctx) : batch.kind === "web"
        ? ctx.web.apply(batch, (h, visit, started) => ctx.hooks.webHit(batch.productId, h, visit, started))
        : batch.kind === "revenue"
          ? ctx.revenue.apply(batch, (e, amount) => ctx.hooks.revenue(batch.productId, batch.provider, e, amount))
          : applyEvents(batch, ctx);
  const idem = batch.idempotency;
  if (idem) {
    const answer = answerFor(batch.kind, result, idem.errors);
    ctx.insertIdempotency.run(batch.productId, idem.key, idem.bodyHash, answer.status, JSON.stringify(answer.body), batch.now);
  }
  return result;
}

function applyPoints(batch: PointsBatch, ctx: ApplyContext) {
  const { registry, rows } = ctx;
  const { productId, now, series, slot, ts, value } = batch;
  // Series ids of the request's distinct series; the missing ones are created after one
  // capacity check for all of them, so a request over the limit creates none.
  const ids = new Array<number>(series.length);
  const missing: number[] = [];
  for (let i = 0; i < series.length; i++) {
    const id = registry.find(productId, series[i]!.metric, series[i]!.canonical);
    if (id === undefined) missing.push(i);
    else ids[i] = id;
  }
  if (missing.length) registry.checkCapacity(productId, missing.length, series[missing[0]!]!.metric);
  for (const i of missing) ids[i] = registry.create(productId, series[i]!.metric, series[i]!.canonical, series[i]!.tags, now);
  const allTags = series.map((s) => registry.allTags(productId, s.metric, now));
  for (let i = 0; i < slot.length; i++) {
    const k = slot[i]!;
    pushRow(rows, productId, ids[k]!, allTags[k]!, ts[i]!, value[i]!);
  }
  return { accepted: slot.length };
}

/** Each stored event also adds 1, untagged, to the series `event:<name>`. */
function applyEvents(batch: EventsBatch, ctx: ApplyContext) {
  const { registry } = ctx;
  const { productId, events, now } = batch;
  const newNames: string[] = [];
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    if (registry.find(productId, "event:" + e.name, EMPTY_TAGS) === undefined) newNames.push(e.name);
  }
  if (newNames.length) registry.checkCapacity(productId, newNames.length, "event:" + newNames[0]);
  // One call per request: the data plane stores the new events and says which they were.
  const stored = ctx.events.add(productId, events, ctx.token, now);
  const series = new Map<string, { s: number; a: number }>();
  for (const e of stored) {
    ctx.hooks.event(productId, e);
    ctx.schemas.add(productId, e);
    let ids = series.get(e.name);
    if (!ids) {
      const metric = "event:" + e.name;
      const s = registry.find(productId, metric, EMPTY_TAGS) ?? registry.create(productId, metric, EMPTY_TAGS, {}, now);
      ids = { s, a: registry.allTags(productId, metric, now) };
      series.set(e.name, ids);
    }
    pushRow(ctx.rows, productId, ids.s, ids.a, e.tsMs, 1);
  }
  return { accepted: stored.length, duplicates: events.length - stored.length };
}
