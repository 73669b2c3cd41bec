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

/** One fold per rollup table; `add` a point to a series, `rows(table)` gives the folded rows. */
export class RollupFold {
  // Keyed by seriesId * 2^k + bucket index would overflow; a string key is simple and fast enough.
  private readonly maps: Map<string, Aggregate>[] = ROLLUPS.map(() => new Map());

  add(seriesId: number, tsMs: number, value: number) {
    for (let i = 0; i < ROLLUPS.length; i++) {
      const start = bucketStart(tsMs, ROLLUPS[i]!.ms);
      const key = `${seriesId}:${start}`;
      const map = this.maps[i]!;
      const agg = map.get(key);
      if (agg) {
        agg.count++;
        agg.sum += value;
        if (value < agg.min) agg.min = value;
        if (value > agg.max) agg.max = value;
      } else {
        map.set(key, { seriesId, bucketStart: start, count: 1, sum: value, min: value, max: value });
      }
    }
  }

  /** Folded rows per table, in (series, bucket) order so the upserts walk the primary key. */
  tables(): { table: RollupTable; rows: Aggregate[] }[] {
    return ROLLUPS.map((r, i) => ({
      table: r.table,
      rows: [...this.maps[i]!.values()].sort((a, b) => a.seriesId - b.seriesId || a.bucketStart - b.bucketStart),
    }));
  }

  get size() {
    return this.maps[0]!.size;
  }
}
