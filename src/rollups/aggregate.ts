/**
 * The in-memory fold of points into rollup buckets. A flush (and a rebuild) folds first and then
 * writes one upsert per (series, bucket) instead of one per point: measured, per-point upserts
 * halve the insert rate while folding keeps it close to plain inserts.
 */
export type RollupTable = "rollup_1m" | "rollup_1h" | "rollup_1d";

/** Bucket widths; all UTC-aligned (a day row is a UTC day; zoned days read hour/minute rows). */
export const ROLLUPS: readonly { table: RollupTable; ms: number }[] = [
  { table: "rollup_1m", ms: 60_000 },
  { table: "rollup_1h", ms: 3_600_000 },
  { table: "rollup_1d", ms: 86_400_000 },
];

/** Start of the UTC-aligned bucket holding `tsMs` (floor, so times before 1970 work too). */
export const bucketStart = (tsMs: number, widthMs: number) => tsMs - (((tsMs % widthMs) + widthMs) % widthMs);

export type Aggregate = { seriesId: number; bucketStart: number; count: number; sum: number; min: number; max: number };

/**
 * One fold per rollup table. `addSeries` takes one series' points in time order: minutes are
 * folded by run length (one comparison per point; hours straight from the points when no minute
 * row is kept), hours from minutes, days from hours, and the
 * metric's all-tags series from those aggregates — so the per-point work is a single bucket
 * computation. A series is added at most once per fold (the flush groups points by series), so
 * its own rows come out unique and sorted and are kept as they are; only all-tags rows, which
 * many series feed, are merged by bucket. count/min/max stay exact; sums are added in a
 * different order (DESIGN.md allows 1e-9 relative).
 *
 * Minute rows are kept only before a cut (`minuteRowsBefore`): where raw points exist they answer
 * minute buckets themselves, and a minute row per point was half the cost of storing one
 * (src/storage/sqlite/points-sink.ts says where the cut comes from).
 */
export class RollupFold {
  /** Per table: a series' own rows, in bucket order. */
  private readonly own: Map<number, Aggregate[]>[] = ROLLUPS.map(() => new Map());
  /** Per table: all-tags series → bucket → merged row. */
  private readonly merged: Map<number, Map<number, Aggregate>>[] = ROLLUPS.map(() => new Map());
  private readonly added = new Set<number>();

  /** `writes`: the rollups this fold writes (all three unless told; hours and days still fold from minutes). */
  constructor(private readonly writes: readonly RollupTable[] = ROLLUPS.map((r) => r.table)) {}

  /**
   * `ts` must be ascending. `allTagsId` also receives every point (omit it for a rebuild of one
   * row set). Minute rows whose bucket starts at or after `minuteRowsBefore` are left out.
   */
  addSeries(seriesId: number, allTagsId: number | null, ts: ArrayLike<number>, values: ArrayLike<number>, minuteRowsBefore = Infinity) {
    if (this.added.has(seriesId)) throw new Error(`series ${seriesId} was already added to this fold`);
    this.added.add(seriesId);
    // No minute row to keep (the points lie at or after the cut): hours are folded from the points
    // directly, without a minute aggregate per point in between (most of the fold's time on sparse series).
    const first = this.writes.includes("rollup_1m") && ts.length > 0 && ts[0]! < minuteRowsBefore ? 0 : 1;
    let level = foldRuns(seriesId, ts, values, ROLLUPS[first]!.ms);
    for (let i = first; i < ROLLUPS.length; i++) {
      if (i > first) level = coarsen(level, ROLLUPS[i]!.ms);
      if (!this.writes.includes(ROLLUPS[i]!.table)) continue;
      const kept = i === 0 ? before(level, minuteRowsBefore) : level;
      if (!kept.length) continue;
      this.own[i]!.set(seriesId, kept);
      if (allTagsId !== null) for (const agg of kept) this.merge(i, allTagsId, agg);
    }
  }

  private merge(table: number, seriesId: number, agg: Aggregate) {
    let buckets = this.merged[table]!.get(seriesId);
    if (!buckets) this.merged[table]!.set(seriesId, (buckets = new Map()));
    const have = buckets.get(agg.bucketStart);
    if (!have) buckets.set(agg.bucketStart, { ...agg, seriesId });
    else {
      have.count += agg.count;
      have.sum += agg.sum;
      if (agg.min < have.min) have.min = agg.min;
      if (agg.max > have.max) have.max = agg.max;
    }
  }

  /** Folded rows per table, in (series, bucket) order so the upserts walk the primary key. */
  tables(): { table: RollupTable; rows: Aggregate[] }[] {
    return ROLLUPS.map(({ table }, i) => {
      const own = this.own[i]!;
      const merged = this.merged[i]!;
      const ids = [...own.keys(), ...merged.keys()].sort((a, b) => a - b);
      const rows: Aggregate[] = [];
      for (const id of ids) {
        const mine = own.get(id);
        if (mine) {
          for (const r of mine) rows.push(r);
          continue;
        }
        const buckets = merged.get(id)!;
        const starts = [...buckets.keys()];
        if (starts.length > 1) starts.sort((a, b) => a - b);
        for (const st of starts) rows.push(buckets.get(st)!);
      }
      return { table, rows };
    });
  }
}

/** The rows of a bucket-ordered list that start before `t`. */
function before(rows: Aggregate[], t: number): Aggregate[] {
  if (t === Infinity || !rows.length || rows[rows.length - 1]!.bucketStart < t) return rows;
  let n = 0;
  while (n < rows.length && rows[n]!.bucketStart < t) n++;
  return rows.slice(0, n);
}

/** Points in time order into `width`-wide buckets, by run length. */
function foldRuns(seriesId: number, ts: ArrayLike<number>, values: ArrayLike<number>, width: number): Aggregate[] {
  const out: Aggregate[] = [];
  let cur: Aggregate | null = null;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const v = values[i]!;
    if (cur !== null && t - cur.bucketStart < width) {
      cur.count++;
      cur.sum += v;
      if (v < cur.min) cur.min = v;
      if (v > cur.max) cur.max = v;
    } else {
      out.push((cur = { seriesId, bucketStart: bucketStart(t, width), count: 1, sum: v, min: v, max: v }));
    }
  }
  return out;
}

/** Aggregates in time order, merged into wider buckets (run length again). */
function coarsen(level: Aggregate[], width: number): Aggregate[] {
  const out: Aggregate[] = [];
  let cur: Aggregate | null = null;
  for (const a of level) {
    const start = bucketStart(a.bucketStart, width);
    if (cur !== null && cur.bucketStart === start) {
      cur.count += a.count;
      cur.sum += a.sum;
      if (a.min < cur.min) cur.min = a.min;
      if (a.max > cur.max) cur.max = a.max;
    } else out.push((cur = { ...a, bucketStart: start }));
  }
  return out;
}
