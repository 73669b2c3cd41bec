import type { Db } from "../db/connection";
import { runQuery, type QueryProduct } from "../query/run";
import type { Aggregation, TagFilter } from "../query/types";
import { MINUTE_MS } from "./durations";

/**
 * What a rule reads, as minute buckets from THE query engine: a rule's window value at any
 * boundary (sum over the window, a mean, a min…) is folded from the minutes inside it, so one
 * read serves a live tick, a catch-up after downtime and a 30-day backtest alike, and rules that
 * share a query share the read. Aggregations come apart into primitives that fold exactly:
 * sum → sum, count → count, avg → sum and count, min → min, max → max.
 */
export type SourceQuery = { metric: string; aggregation: Aggregation; filters?: Record<string, TagFilter>; timezone?: string };
export type Primitive = "sum" | "count" | "min" | "max";
/** `unit`: read as hour buckets (both ends on a UTC hour); minute buckets otherwise. */
export type Range = { from: number; to: number; unit?: "hour" };
export const HOUR_MS = 60 * MINUTE_MS;

const PRIMITIVES: Record<Aggregation, Primitive[]> = { sum: ["sum"], count: ["count"], avg: ["sum", "count"], min: ["min"], max: ["max"] };
/** Per query-engine call: 18 720 buckets (13 days of minutes) stays under its 20 000-bucket cap. */
const CHUNK_BUCKETS = 18_720;
/** Fold blocks of 60 minutes first, so a 7-day window adds ~170 numbers rather than 10 080. */
const BLOCK = 60;

export const queryKey = (productId: string, q: SourceQuery) => JSON.stringify([productId, q.metric, q.aggregation, q.filters ?? {}, q.timezone ?? null]);

/** Sorts and merges ranges (touching ones too). */
export function mergeRanges(list: Range[]): Range[] {
  const sorted = [...list].sort((a, b) => a.from - b.from);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

type Segment = { from: number; to: number; cols: Map<Primitive, Float64Array>; blocks: Map<Primitive, Float64Array> };

/**
 * One query's buckets (minutes, or hours for long baselines) over the ranges it was loaded for.
 * NaN marks an empty bucket of min/max.
 */
export class MinuteSeries {
  private segments: Segment[] = [];
  constructor(readonly aggregation: Aggregation, readonly unitMs = MINUTE_MS) {}

  static load(reader: Db, product: QueryProduct, q: SourceQuery, ranges: Range[], now: number, unitMs = MINUTE_MS): MinuteSeries {
    const series = new MinuteSeries(q.aggregation, unitMs);
    const granularity = unitMs === HOUR_MS ? "hour" : "minute";
    const chunkMs = CHUNK_BUCKETS * unitMs;
    for (const r of mergeRanges(ranges)) {
      const n = (r.to - r.from) / unitMs;
      const cols = new Map<Primitive, Float64Array>();
      for (const prim of PRIMITIVES[q.aggregation]) {
        const col = new Float64Array(n);
        for (let a = r.from; a < r.to; a += chunkMs) {
          const b = Math.min(r.to, a + chunkMs);
          const input = { metric: q.metric, aggregation: prim, granularity, from: new Date(a).toISOString(), to: new Date(b).toISOString(), ...(q.filters ? { filters: q.filters } : {}), timezone: "UTC" };
          const points = runQuery(reader, product, input, now).series[0]!.points;
          if (points.length !== (b - a) / unitMs) throw new Error(`expected ${(b - a) / unitMs} ${granularity} buckets, got ${points.length}`);
          const off = (a - r.from) / unitMs;
          for (let i = 0; i < points.length; i++) col[off + i] = points[i]!.v ?? NaN;
        }
        cols.set(prim, col);
      }
      series.segments.push({ from: r.from, to: r.to, cols, blocks: blockFolds(cols) });
    }
    return series;
  }

  /** Test and bench use: a series from given minute values (one column per primitive). */
  static of(aggregation: Aggregation, from: number, cols: Partial<Record<Primitive, number[]>>): MinuteSeries {
    const series = new MinuteSeries(aggregation);
    const map = new Map<Primitive, Float64Array>();
    for (const prim of PRIMITIVES[aggregation]) map.set(prim, Float64Array.from(cols[prim]!));
    const n = map.values().next().value!.length;
    series.segments.push({ from, to: from + n * MINUTE_MS, cols: map, blocks: blockFolds(map) });
    return series;
  }

  /** Whether [from, to) lies inside one loaded range, on this series' bucket edges. */
  covers(from: number, to: number): boolean {
    return from % this.unitMs === 0 && to % this.unitMs === 0 && this.segments.some((s) => s.from <= from && to <= s.to);
  }

  private segmentFor(from: number, to: number): Segment {
    for (const s of this.segments) if (s.from <= from && to <= s.to) return s;
    throw new Error(`minutes ${new Date(from).toISOString()}–${new Date(to).toISOString()} were not loaded`);
  }

  /** The aggregation over [from, to) (whole minutes): 0 for empty sum/count, null for empty avg/min/max. */
  value(from: number, to: number): number | null {
    const s = this.segmentFor(from, to);
    const i = (from - s.from) / this.unitMs;
    const j = (to - s.from) / this.unitMs;
    switch (this.aggregation) {
      case "sum":
      case "count":
        return fold(s, this.aggregation, i, j);
      case "avg": {
        const count = fold(s, "count", i, j);
        return count > 0 ? fold(s, "sum", i, j) / count : null;
      }
      default: {
        const v = fold(s, this.aggregation, i, j);
        return Number.isNaN(v) ? null : v;
      }
    }
  }

  /** The aggregation's value in the last minute of [from, to) that has any point (a stock level's latest report). */
  latest(from: number, to: number): number | null {
    const s = this.segmentFor(from, to);
    const i0 = (from - s.from) / MINUTE_MS;
    for (let i = (to - s.from) / MINUTE_MS - 1; i >= i0; i--) {
      const v = this.value(s.from + i * MINUTE_MS, s.from + (i + 1) * MINUTE_MS);
      if (v !== null && (this.aggregation === "avg" || this.aggregation === "min" || this.aggregation === "max" || presentIn(s, i))) return v;
    }
    return null;
  }
}

// A sum/count minute of 0 may hold points (values summing to 0) or none; for a level we read the
// minutes with a non-zero count or sum only, the best a sum/count series can tell.
const presentIn = (s: Segment, i: number) => (s.cols.get("sum")?.[i] ?? s.cols.get("count")?.[i] ?? 0) !== 0;

function combine(prim: Primitive, a: number, b: number): number {
  if (prim === "sum" || prim === "count") return a + b;
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return prim === "min" ? Math.min(a, b) : Math.max(a, b);
}

const identity = (prim: Primitive) => (prim === "sum" || prim === "count" ? 0 : NaN);

function blockFolds(cols: Map<Primitive, Float64Array>): Map<Primitive, Float64Array> {
  const out = new Map<Primitive, Float64Array>();
  for (const [prim, col] of cols) {
    const blocks = new Float64Array(Math.ceil(col.length / BLOCK));
    for (let b = 0; b < blocks.length; b++) {
      let acc = identity(prim);
      for (let i = b * BLOCK; i < Math.min(col.length, (b + 1) * BLOCK); i++) acc = combine(prim, acc, col[i]!);
      blocks[b] = acc;
    }
    out.set(prim, blocks);
  }
  return out;
}

function fold(s: Segment, prim: Primitive, i: number, j: number): number {
  const col = s.cols.get(prim)!;
  const blocks = s.blocks.get(prim)!;
  let acc = identity(prim);
  let k = i;
  while (k < j && k % BLOCK !== 0) acc = combine(prim, acc, col[k++]!);
  while (k + BLOCK <= j) {
    acc = combine(prim, acc, blocks[k / BLOCK]!);
    k += BLOCK;
  }
  while (k < j) acc = combine(prim, acc, col[k++]!);
  return acc;
}
