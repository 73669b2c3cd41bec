import { Database } from "bun:sqlite";
import { SPAN_START } from "./points";

/**
 * The raw-SQL reference: answers straight from the raw points of the SQLite file (the `points`
 * view over their hour blocks, never the rollups), so every query-engine answer can be checked against it, and R5 can time the raw-row
 * query the rollups are meant to beat. Series are picked by parsing their tags JSON in JS, so the
 * reference shares no filtering code with the engine.
 */
export type Granularity = "minute" | "hour" | "day" | "week" | "month";
export type RefBucket = { count: number; sum: number; min: number; max: number };

const UNIT: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const WEEK = 7 * 86_400_000;

export class Reference {
  private readonly db: Database;
  constructor(path: string) {
    this.db = new Database(path, { readonly: true });
    this.db.exec("PRAGMA cache_size = -65536");
    this.db.exec("PRAGMA mmap_size = 268435456");
  }

  seriesIds(productId: string, metric: string, filter: Record<string, string>): number[] {
    const rows = this.db.query<{ id: number; tags: string }, [string, string]>("SELECT id, tags FROM series WHERE product_id = ? AND metric = ?").all(productId, metric);
    return rows
      .filter((r) => {
        let tags: unknown;
        try {
          tags = JSON.parse(r.tags);
        } catch {
          return false; // the reserved all-tags row ("*") is not a real series
        }
        if (!tags || typeof tags !== "object" || Array.isArray(tags)) return false;
        return Object.entries(filter).every(([k, v]) => (tags as Record<string, string>)[k] === v);
      })
      .map((r) => r.id);
  }

  /** Every aggregate per bucket start (ms, UTC) for points in [from, to). */
  buckets(ids: number[], granularity: Granularity, from: number, to: number): Map<number, RefBucket> {
    const bucket =
      granularity === "week"
        ? `p.ts_ms - ((p.ts_ms - ${SPAN_START}) % ${WEEK})` // SPAN_START is a Monday 00:00 UTC
        : granularity === "month"
          ? `CAST(strftime('%s', p.ts_ms / 1000, 'unixepoch', 'start of month') AS INTEGER) * 1000`
          : `p.ts_ms - (p.ts_ms % ${UNIT[granularity]})`;
    const sql = `SELECT ${bucket} AS b, count(*) AS c, sum(p.value) AS s, min(p.value) AS mn, max(p.value) AS mx
      FROM points p WHERE p.series_id IN (${ids.map(() => "?").join(",") || "NULL"}) AND p.ts_ms >= ? AND p.ts_ms < ? GROUP BY b`;
    const out = new Map<number, RefBucket>();
    for (const r of this.db.query<{ b: number; c: number; s: number; mn: number; mx: number }, number[]>(sql).all(...ids, from, to)) {
      out.set(r.b, { count: r.c, sum: r.s, min: r.mn, max: r.mx });
    }
    return out;
  }

  /**
   * R5's denominator: the hourly sum over the range computed from raw points, read the fastest way
   * raw points can be: their hour blocks decoded with JSON.parse (SQL's json_each measured ~4× slower).
   */
  hourlySumRaw(ids: number[], from: number, to: number) {
    const sql = `SELECT block AS k, data AS d FROM point_blocks WHERE series_id IN (${ids.map(() => "?").join(",")}) AND block >= ? AND block <= ?`;
    const sums = new Map<number, number>();
    for (const r of this.db.query<{ k: number; d: string }, number[]>(sql).all(...ids, Math.floor(from / 3_600_000), Math.floor((to - 1) / 3_600_000))) {
      const base = r.k * 3_600_000;
      for (const [offset, v] of JSON.parse(r.d) as [number, number][]) {
        const t = base + offset;
        if (t >= from && t < to) sums.set(base, (sums.get(base) ?? 0) + v);
      }
    }
    return [...sums].map(([b, s]) => ({ b, s }));
  }

  close() {
    this.db.close();
  }
}

/** Bucket starts of [from, to) in UTC (`from` is aligned to every granularity in our data set). */
export function bucketStarts(granularity: Granularity, from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; ) {
    out.push(t);
    if (granularity === "month") {
      const d = new Date(t);
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    } else t += granularity === "week" ? WEEK : UNIT[granularity]!;
  }
  return out;
}

/** What the engine must answer for one aggregation in one bucket (DESIGN: empty = 0 or null). */
export function expected(b: RefBucket | undefined, aggregation: string): number | null {
  if (aggregation === "sum") return b?.sum ?? 0;
  if (aggregation === "count") return b?.count ?? 0;
  if (!b) return null;
  if (aggregation === "avg") return b.sum / b.count;
  return aggregation === "min" ? b.min : b.max;
}

/** count/min/max exact; sum/avg within 1e-9 relative (summation order differs). */
export function sameValue(aggregation: string, got: number | null, want: number | null): boolean {
  if (got === null || want === null) return got === want;
  if (aggregation === "count" || aggregation === "min" || aggregation === "max") return got === want;
  return Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
}
