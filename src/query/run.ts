import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../db/schema/data";
import { AppError } from "../lib/errors";
import { Fold } from "./fold";
import { resolveQuery, type ResolvedQuery } from "./parse";
import { planSegments, SOURCE_WIDTH, type Segment, type Source } from "./plan";
import { allTagsIdSql, rawCutSql, RAW_UNITS, seriesCountSql, seriesIds, type RawUnit, type SeriesSet } from "./sql";
import { runStatement as statement } from "./statement";
import { pointsReaderFor } from "../storage";
import type { PointsReader } from "../storage/plane";
import { bucketStarts, formatAllInZone, formatInZone } from "../lib/time/calendar";
import type { QueryResult, QueryWarning } from "./types";
import { observe } from "../lib/histogram";
import { queryLatency } from "./latency";

/**
 * THE query engine (DESIGN.md "Query engine"): widgets, the query API, reports and alerts call
 * runQuery; the CSV export shares its parsing and series selection. Synchronous on purpose: a
 * query runs to the end inside one tick, so it never interleaves with a flush on the connection.
 */
export type QueryProduct = { id: string; timezone: string };
/** rawOnly: answer from raw points only (measurements, cross-checks); maxScanRows: the guard's limit. */
export type RunOptions = { rawOnly?: boolean; maxScanRows?: number };

/** Past this many rows to read (rollup rows + raw points) a query is refused, not run for seconds. */
export const MAX_SCAN_ROWS = 5_000_000;

type Read = { source: Source; from: number; to: number; only?: Segment[]; set: SeriesSet };

export function runQuery(db: { $client: Database }, product: QueryProduct, input: unknown, now: number, opts: RunOptions = {}): QueryResult {
  const started = performance.now();
  try {
    return answer(db, product, input, now, opts);
  } finally {
    observe(queryLatency, (performance.now() - started) / 1000);
  }
}

function answer(db: { $client: Database }, product: QueryProduct, input: unknown, now: number, opts: RunOptions): QueryResult {
  const q = resolveQuery(input, { timezone: product.timezone, now });
  const sqlite = db.$client;
  const starts = q.granularity ? bucketStarts(q.zone, q.granularity, q.from, q.to) : [q.from];
  const bounds = starts.length ? [q.from, ...starts.slice(1), q.to] : [];
  const fold = new Fold(bounds, q.groupBy.length);
  // One read snapshot for the whole answer: retention moves the cut between minute rows and raw
  // points in one commit, and a query must see both sides of it from the same moment.
  const warnings = sqlite.transaction(() => readInto(fold, sqlite, product.id, q, bounds, opts))();
  const labels = formatAllInZone(q.zone, starts);
  const series = fold.series({ aggregation: q.aggregation, groupBy: q.groupBy, limit: q.groupLimit, labels });
  const result: QueryResult = {
    metric: q.metric,
    aggregation: q.aggregation,
    granularity: q.granularity,
    from: formatInZone(q.zone, q.from, true),
    to: formatInZone(q.zone, q.to, true),
    timezone: q.zone,
    series,
  };
  if (warnings.length) result.warnings = warnings;
  if (!q.granularity) {
    for (const s of series) s.value = s.points[0]?.v ?? null;
    if (!q.groupBy.length) result.value = series[0]!.value;
  }
  return result;
}

/** Plans the query's reads, runs them and adds their rows to `fold`; answers the warnings. */
function readInto(fold: Fold, sqlite: Database, productId: string, q: ResolvedQuery, bounds: number[], opts: RunOptions): QueryWarning[] {
  const sets = seriesSets(sqlite, productId, q);
  if (!sets) return [];
  // Where retention cut raw points, which is also where minute rows end (src/storage/sqlite/minute-cut.ts).
  const cut = (sqlite.query(rawCutSql).get(productId) as { before: number } | null)?.before ?? -Infinity;
  const reads = planReads(planSegments(bounds, { rawOnly: opts.rawOnly, minuteRowsBefore: cut }), sets);
  // The data plane this connection is bound to (SQLite, or ClickHouse: src/storage/).
  const plane = pointsReaderFor(sqlite);
  guardScan(sqlite, plane, productId, reads, opts.maxScanRows ?? MAX_SCAN_ROWS);
  const warnings = rawCutWarnings(reads, cut, q.zone);
  for (const read of reads) {
    const rows = plane.aggregate({
      productId,
      source: read.source,
      set: read.set,
      from: read.from,
      to: read.to,
      groupBy: q.groupBy,
      rawUnit: read.source === "points" ? rawUnit(bounds, read) : 1,
      aggregation: q.aggregation,
      cacheable: q.conditions.length === 0,
    });
    for (const row of rows) if (!read.only || inSegments(read.only, row.b)) fold.add(row);
  }
  return warnings;
}

/**
 * Unfiltered, ungrouped rollup reads take the metric's all-tags row: one series instead of many.
 * Raw points exist only in the tagged series, so raw edges always read those. Null: no such metric.
 */
function seriesSets(sqlite: Database, productId: string, q: ResolvedQuery): { rollup: SeriesSet; raw: SeriesSet } | null {
  const allTags = sqlite.query(allTagsIdSql.sql).get(productId, q.metric, ALL_TAGS_HASH) as { id: number } | null;
  if (!allTags) return null;
  const tagged: SeriesSet = { kind: "many", ids: seriesIds(productId, q.metric, q.conditions) };
  if (q.conditions.length || q.groupBy.length) return { rollup: tagged, raw: tagged };
  return { rollup: { kind: "one", id: allTags.id }, raw: tagged };
}

/**
 * One read per source when its segments cover most of their span (a 30-day hourly chart in
 * Kolkata: hour rows with a minute-row hour per day), else one read per segment (a Berlin yearly
 * monthly chart reads a few edge hours per month, not a year of hour rows).
 */
function planReads(segments: Segment[], sets: { rollup: SeriesSet; raw: SeriesSet }): Read[] {
  const bySource = new Map<Source, Segment[]>();
  for (const s of segments) bySource.set(s.source, [...(bySource.get(s.source) ?? []), s]);
  const reads: Read[] = [];
  for (const [source, list] of bySource) {
    const set = source === "points" ? sets.raw : sets.rollup;
    const from = list[0]!.from;
    const to = list[list.length - 1]!.to;
    const covered = list.reduce((n, s) => n + (s.to - s.from), 0);
    if (list.length === 1) reads.push({ source, from, to, set });
    else if (covered * 2 >= to - from) reads.push({ source, from, to, only: list, set });
    else for (const s of list) reads.push({ source, from: s.from, to: s.to, set });
  }
  return reads;
}

/**
 * Raw points end where retention cut them (retention_cuts, written with the deletes). Before the
 * cut their minutes live on as minute rows, so only the raw reads — bucket edges not on a minute — can miss
 * rows: the answer counts what is left and says where raw data ends, rather than quietly
 * returning smaller numbers. Read only when the plan has a raw read before the cut.
 */
function rawCutWarnings(reads: Read[], cut: number, zone: string): QueryWarning[] {
  const raw = reads.filter((r) => r.source === "points");
  if (!raw.length) return [];
  if (!Number.isFinite(cut) || !raw.some((r) => r.from < cut)) return [];
  const rawDataFrom = formatInZone(zone, cut, true);
  return [
    {
      code: "raw_data_expired",
      message:
        `Raw points before ${rawDataFrom} were deleted by this product's retention setting. Parts of buckets that are not whole ` +
        `minutes before then are counted without them; query from a whole minute (or at hour/day granularity) for exact numbers from rollups.`,
      rawDataFrom,
    },
  ];
}

/**
 * The widest UTC slice that no bucket edge inside the read cuts (SQLite then sums slices, not
 * points). A read that spans several segments keeps only the slices inside them, judged by each
 * slice's earliest time, so the segments' edges must not be cut either.
 */
function rawUnit(bounds: number[], read: Read): RawUnit {
  const edges = read.only ? [...bounds, ...read.only.flatMap((s) => [s.from, s.to])] : bounds;
  const inside = edges.filter((b) => b > read.from && b < read.to);
  return RAW_UNITS.find((u) => inside.every((b) => b % u === 0)) ?? 1;
}

function inSegments(list: Segment[], t: number): boolean {
  let lo = 0, hi = list.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (list[mid]!.from <= t) lo = mid;
    else hi = mid - 1;
  }
  return list[lo]!.from <= t && t < list[lo]!.to;
}

/**
 * Refuses a query that would read more than `limit` rows (MAX_SCAN_ROWS unless told). An upper bound (series × buckets)
 * settles most queries for free; otherwise rows are counted, stopping at the limit, so the check
 * itself stays cheap. Raw reads are always counted (their density is unknown).
 */
function guardScan(sqlite: Database, plane: PointsReader, productId: string, reads: Read[], limit: number) {
  const seriesCount = new Map<SeriesSet, number>();
  const countSeries = (set: SeriesSet) => {
    let n = seriesCount.get(set);
    if (n === undefined) {
      const { sql, params } = seriesCountSql(set);
      seriesCount.set(set, (n = (statement(sqlite, sql, false, (st) => st.get(...params)) as { n: number }).n));
    }
    return n;
  };
  let bound = 0;
  for (const r of reads) bound += r.source === "points" ? Infinity : countSeries(r.set) * Math.ceil((r.to - r.from) / SOURCE_WIDTH[r.source]);
  if (bound <= limit) return;
  let counted = 0;
  for (const r of reads) {
    counted += plane.count({ productId, source: r.source, set: r.set, from: r.from, to: r.to }, limit + 1 - counted);
    if (counted > limit) {
      throw new AppError(400, "query_too_large", `This query would read more than ${limit} rows: add filters, pick a shorter range or a coarser granularity`, {
        field: "range",
      });
    }
  }
}
