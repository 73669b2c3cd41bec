import type { Database } from "bun:sqlite";
import type { Deps } from "../../deps";
import { notFound } from "../../lib/errors";
import { emptyAcc, displayValue, storedDim, type Acc } from "./acc";
import { exactFromAggregates, sumRange } from "./agg";
import { metricValue, type RevenueAnswer } from "./metrics";
import { filterDims, parseWebQuery } from "./parse";
import { bucketLabel, buckets, echoRange, resolveDateRange, timeUnit, type ResolvedRange } from "./range";
import { rawGroups, type Group } from "./raw";
import { revenueForRow } from "./revenue";
import { withGoalTests } from "./goal-filters";
import { webReaderFor } from "../../storage";
import { HOUR_MS } from "../../writer/web/dims";
import { revenueGoals, touchesGoal } from "./revenue-goals";
import { isEventDim, isTimeDim, isVisitDim, type Filter, type Metric, type WebAnswer, type WebQuery } from "./types";

/**
 * THE web query: Plausible's Stats API v2 subset (DESIGN.md "Web analytics") for one product.
 * `POST /api/v2/query` answers with it, and the web dashboard reads through it, so their numbers
 * are the same. The unfiltered dashboard (top stats, chart, every card, previous period) reads
 * the hourly and daily pre-aggregates (src/web/query/agg.ts); filtered and multi-dimension
 * queries read raw rows through indexes (src/web/query/raw.ts); both count exactly alike.
 */
export type WebQueryDeps = Pick<Deps, "reader" | "clock">;

const AGG_METRICS = new Set<Metric>(["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events", "conversion_rate", "total_revenue", "average_revenue", "revenue", "purchases", "rpv"]);

export function runWebQuery(deps: WebQueryDeps, productId: string, input: unknown): WebAnswer {
  const reader = deps.reader.$client;
  const parsed = parseWebQuery(input);
  const q: WebQuery = { ...parsed, filters: withGoalTests(reader, productId, parsed.filters) };
  const product = reader.query("SELECT timezone FROM products WHERE id = ?").get(productId) as { timezone: string } | null;
  if (!product) throw notFound();
  const range = resolveDateRange(q.dateRange, product.timezone, deps.clock.now(), () => firstVisit(reader, productId));
  return answer(reader, productId, q, range);
}

/** Visitors of the last 5 minutes (the dashboard's realtime count): distinct visitor ids with a hit since. */
export function realtimeVisitors(deps: WebQueryDeps, productId: string): number {
  const since = deps.clock.now() - 5 * 60_000;
  return webReaderFor(deps.reader.$client).realtimeVisitors(productId, since);
}

/**
 * When the product's first visit was: `date_range: "all"` starts on its local day. The day rows
 * outlive raw events (retention), and are UTC days; within that first UTC day the raw hit, when
 * kept, gives the instant, so the local day is right in any zone (else the UTC day's start).
 */
export function firstVisit(reader: Database, productId: string): number | null {
  const web = webReaderFor(reader);
  const day = web.firstAggDay(productId);
  if (day === null) return null;
  const dayStart = day * 86_400_000;
  return web.firstHitBetween(productId, dayStart, dayStart + 86_400_000) ?? dayStart;
}

type Row = { values: string[]; acc: Acc; from: number; to: number };

function answer(reader: Database, productId: string, q: WebQuery, range: ResolvedRange): WebAnswer {
  const timeDim = q.dimensions.find(isTimeDim);
  const unit = timeDim ? timeUnit(timeDim, range) : null;
  const starts = unit ? buckets(unit, range) : [range.from];
  const labels = unit ? starts.map((s) => bucketLabel(unit, range.zone, Math.max(s, range.from))) : [];
  const bucketOf = (ms: number) => {
    if (ms < range.from || ms >= range.to) return -1;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const rows = useAggregates(q, range, starts) && !(touchesGoal(q) && revenueGoals(reader, productId).length) ? aggRows(reader, productId, q, range, starts, labels) : rawRows(reader, productId, q, range, starts, labels, bucketOf);

  const totals = q.metrics.includes("conversion_rate") ? conversionTotals(reader, productId, q, range) : null;
  const results: WebAnswer["results"] = [];
  for (const r of rows) {
    const shown: string[] = [];
    let skip = false;
    q.dimensions.forEach((d, i) => {
      const v = isTimeDim(d) ? r.values[i]! : displayValue(d, r.values[i]!);
      if (v === null) skip = true;
      else shown.push(v);
    });
    if (skip) continue;
    const totalVisitors = totals ? (totals.get(q.dimensions.flatMap((d, i) => (d === "event:goal" ? [] : [shown[i]!])).join("\u0001")) ?? 0) : 0;
    const revenue: RevenueAnswer = q.metrics.some((m) => ["total_revenue", "average_revenue", "revenue", "purchases", "rpv"].includes(m))
      ? revenueForRow(reader, { productId, from: r.from, to: r.to, dimensions: q.dimensions, values: shown, filters: q.filters })
      : { total: null, average: null, revenue: 0, purchases: 0 };
    results.push({ dimensions: shown, metrics: q.metrics.map((m) => metricValue(m, r.acc, { totalVisitors, revenue })) });
  }
  const orderBy = q.orderBy ?? defaultOrder(q);
  sortResults(results, orderBy, q);
  const meta: Record<string, unknown> = {};
  if (q.include.imports) meta.imports_included = false;
  if (q.include.timeLabels) meta.time_labels = labels;
  if (q.include.totalRows) meta.total_rows = results.length;
  const page = results.slice(q.pagination.offset, q.pagination.offset + q.pagination.limit);
  return {
    results: page,
    meta,
    query: {
      site_id: q.siteId,
      metrics: q.metrics,
      date_range: echoRange(range),
      dimensions: q.dimensions,
      filters: q.rawFilters,
      order_by: orderBy,
      include: { imports: q.include.imports, time_labels: q.include.timeLabels, total_rows: q.include.totalRows },
      pagination: q.pagination,
    },
  };
}

/** The pre-aggregates answer exactly: no filter, at most one stored dimension besides time, hour-aligned buckets. */
function useAggregates(q: WebQuery, range: ResolvedRange, starts: number[]): boolean {
  if (q.filters.length) return false;
  // visit:country_name is visit:country shown by name: one stored dimension (the countries card asks for both).
  if (new Set(q.dimensions.filter((d) => !isTimeDim(d)).map(storedDim)).size > 1) return false;
  if (!q.metrics.every((m) => AGG_METRICS.has(m))) return false;
  return starts.every((s, i) => exactFromAggregates(Math.max(s, range.from), i + 1 < starts.length ? starts[i + 1]! : range.to));
}

function aggRows(reader: Database, productId: string, q: WebQuery, range: ResolvedRange, starts: number[], labels: string[]): Row[] {
  const dim = q.dimensions.find((d) => !isTimeDim(d)) ?? "";
  const timed = q.dimensions.some(isTimeDim);
  const out: Row[] = [];
  const web = webReaderFor(reader);
  if (web.aggPrefetch && starts.length > 1) {
    const [h0, h1] = [Math.floor(range.from / HOUR_MS), Math.ceil(range.to / HOUR_MS)];
    web.aggPrefetch(productId, storedDim(dim), h0, h1);
    if (dim === "event:page") web.aggPrefetch(productId, "visit:entry_page", h0, h1);
  }
  starts.forEach((s, i) => {
    const from = Math.max(s, range.from);
    const to = i + 1 < starts.length ? starts[i + 1]! : range.to;
    const byValue = sumRange(reader, productId, dim, from, to);
    // Bounce rate and duration under a page are those of the visits that entered there.
    const needsEntry = dim === "event:page" && q.metrics.some((m) => m === "bounce_rate" || m === "visit_duration");
    const entry = needsEntry ? sumRange(reader, productId, "visit:entry_page", from, to) : null;
    for (const [value, acc] of byValue) {
      if (dim === "" || isVisitDim(dim)) {
        acc.sessVisits = acc.visits;
        if (dim !== "") {
          acc.pageviews = acc.visitPageviews;
          acc.customs = acc.visitEvents;
        }
      } else if (dim === "event:page") {
        const e = entry?.get(value);
        acc.sessVisits = e?.visits ?? 0;
        acc.bounces = e?.bounces ?? 0;
        acc.durationMs = e?.durationMs ?? 0;
      }
      const values = q.dimensions.map((d) => (isTimeDim(d) ? labels[i]! : value));
      out.push({ values, acc, from, to });
    }
    if (!timed && dim === "" && byValue.size === 0) out.push({ values: [], acc: emptyAcc(), from, to });
  });
  return out;
}

function rawRows(reader: Database, productId: string, q: WebQuery, range: ResolvedRange, starts: number[], labels: string[], bucketOf: (ms: number) => number): Row[] {
  const groups: Map<string, Group> = rawGroups(reader, productId, q, range.from, range.to, (ms) => {
    const i = bucketOf(ms);
    return i < 0 ? null : labels[i]!;
  });
  const timeIndex = q.dimensions.findIndex(isTimeDim);
  const out: Row[] = [];
  for (const g of groups.values()) {
    const i = timeIndex >= 0 ? labels.indexOf(g.values[timeIndex]!) : -1;
    out.push({ values: g.values, acc: g.acc, from: i >= 0 ? Math.max(starts[i]!, range.from) : range.from, to: i >= 0 && i + 1 < starts.length ? starts[i + 1]! : range.to });
  }
  if (!q.dimensions.length && !out.length) out.push({ values: [], acc: emptyAcc(), from: range.from, to: range.to });
  return out;
}

/**
 * conversion_rate's denominator, as Plausible's: the visitors of the same query without its goal
 * and event-property filters, per value of every dimension but event:goal — so a goal's CR by
 * source is its converting visitors from that source over all visitors from it. Keyed by those
 * dimensions' shown values (time included).
 */
function conversionTotals(reader: Database, productId: string, q: WebQuery, range: ResolvedRange): Map<string, number> {
  const goalOrProps = (f: unknown) => "dim" in (f as object) && ((f as { dim: string }).dim === "event:goal" || (f as { dim: string }).dim.startsWith("event:props:"));
  const rawGoalOrProps = (f: unknown) => Array.isArray(f) && typeof f[1] === "string" && (f[1] === "event:goal" || f[1].startsWith("event:props:"));
  const filters = q.filters.filter((f) => !goalOrProps(f));
  const rawFilters = q.rawFilters.filter((f) => !rawGoalOrProps(f));
  const sub: WebQuery = { ...q, metrics: ["visitors"], dimensions: q.dimensions.filter((d) => d !== "event:goal"), filters, rawFilters, orderBy: null, include: { totalRows: false, timeLabels: false, imports: false }, pagination: { limit: Number.MAX_SAFE_INTEGER, offset: 0 } };
  const a = answer(reader, productId, sub, range);
  return new Map(a.results.map((r) => [r.dimensions.join("\u0001"), r.metrics[0] as number]));
}

function defaultOrder(q: WebQuery): [string, "asc" | "desc"][] {
  const time = q.dimensions.find(isTimeDim);
  if (time) return [[time, "asc"]];
  return [[q.metrics[0]!, "desc"]];
}

function sortResults(results: WebAnswer["results"], orderBy: [string, "asc" | "desc"][], q: WebQuery) {
  const key = orderBy.map(([name, dir]) => {
    const m = q.metrics.indexOf(name as Metric);
    const d = q.dimensions.indexOf(name);
    return { get: (r: WebAnswer["results"][number]) => (m >= 0 ? r.metrics[m] : r.dimensions[d]), sign: dir === "asc" ? 1 : -1 };
  });
  const num = (x: unknown) => (typeof x === "number" ? x : x === null || x === undefined ? -Infinity : typeof x === "object" ? (x as { value: number }).value : NaN);
  results.sort((a, b) => {
    for (const k of key) {
      const x = k.get(a);
      const y = k.get(b);
      const c = typeof x === "string" && typeof y === "string" ? (x < y ? -1 : x > y ? 1 : 0) : num(x) - num(y);
      if (c !== 0) return c * k.sign;
    }
    // Ties in a stable, readable order: by the dimension values.
    const ja = a.dimensions.join("\u0001");
    const jb = b.dimensions.join("\u0001");
    return ja < jb ? -1 : ja > jb ? 1 : 0;
  });
}

export { filterDims, isEventDim };
