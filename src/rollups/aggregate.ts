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

type TableFold = {
  width: number;
  bySeries: Map<number, Map<number, Aggregate>>;
  // The last bucket touched: points arrive sorted by (series, time), so most adds land here
  // without a map lookup.
  last: Aggregate | null;
};

/** One fold per rollup table; `add` a point to a series, `tables()` gives the folded rows. */
export class RollupFold {
  private readonly folds: TableFold[] = ROLLUPS.map((r) => ({ width: r.ms, bySeries: new Map(), last: null }));

  add(seriesId: number, tsMs: number, value: number) {
    for (const f of this.folds) {
      const start = bucketStart(tsMs, f.width);
      let agg = f.last;
      if (agg === null || agg.seriesId !== seriesId || agg.bucketStart !== start) {
        let buckets = f.bySeries.get(seriesId);
        if (!buckets) f.bySeries.set(seriesId, (buckets = new Map()));
        agg = buckets.get(start) ?? null;
        if (agg === null) {
          buckets.set(start, (f.last = { seriesId, bucketStart: start, count: 1, sum: value, min: value, max: value }));
          continue;
        }
        f.last = agg;
      }
      agg.count++;
      agg.sum += value;
      if (value < agg.min) agg.min = value;
      if (value > agg.max) agg.max = value;
    }
  }

  /** Folded rows per table, in (series, bucket) order so the upserts walk the primary key. */
  tables(): { table: RollupTable; rows: Aggregate[] }[] {
    return this.folds.map((f, i) => {
      const rows: Aggregate[] = [];
      for (const id of [...f.bySeries.keys()].sort((a, b) => a - b)) {
        const buckets = f.bySeries.get(id)!;
        const starts = [...buckets.keys()];
        if (starts.length > 1) starts.sort((a, b) => a - b);
        for (const s of starts) rows.push(buckets.get(s)!);
      }
      return { table: ROLLUPS[i]!.table, rows };
    });
  }
}
