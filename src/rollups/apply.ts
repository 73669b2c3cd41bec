import type { Database, Statement } from "bun:sqlite";
import { ROLLUPS, type Aggregate, type RollupFold, type RollupTable } from "./aggregate";

/**
 * Writes folded rollups. Must run inside the caller's transaction (the write queue's flush, or
 * a rebuild). Adding is exact for count/min/max; sum differs from a raw re-sum only by
 * floating-point summation order (DESIGN.md: within 1e-9 relative).
 */
export type RollupWriter = { apply(fold: RollupFold): number };

// Rows per multi-row upsert, largest first: one native call per 64 rows instead of per row
// (the per-call overhead, not SQLite's B-tree work, was most of the upsert time). A fold has at
// most one row per (series, bucket), so no statement names one key twice.
const CHUNKS = [64, 8, 1] as const;
const COLUMNS = 6;

export function createRollupWriter(sqlite: Database): RollupWriter {
  const statements = new Map<RollupTable, Statement[]>(
    ROLLUPS.map(({ table }) => [
      table,
      CHUNKS.map((n) =>
        sqlite.prepare(
          `INSERT INTO ${table} (series_id, bucket_start, count, sum, min, max) VALUES ${Array(n).fill("(?, ?, ?, ?, ?, ?)").join(", ")}
           ON CONFLICT (series_id, bucket_start) DO UPDATE SET
             count = count + excluded.count,
             sum = sum + excluded.sum,
             min = min(min, excluded.min),
             max = max(max, excluded.max)`,
        ),
      ),
    ]),
  );
  const args = CHUNKS.map((n) => new Array<number>(n * COLUMNS));
  return {
    /** Upserts every folded row; answers how many rows it wrote. */
    apply(fold) {
      let written = 0;
      for (const { table, rows } of fold.tables()) {
        const stmts = statements.get(table)!;
        let at = 0;
        for (let c = 0; c < CHUNKS.length; c++) {
          const n = CHUNKS[c]!;
          const a = args[c]!;
          for (; at + n <= rows.length; at += n) {
            fill(a, rows, at, n);
            stmts[c]!.run(...a);
          }
        }
        written += rows.length;
      }
      return written;
    },
  };
}

function fill(a: number[], rows: Aggregate[], from: number, n: number) {
  let k = 0;
  for (let i = from; i < from + n; i++) {
    const r = rows[i]!;
    a[k++] = r.seriesId;
    a[k++] = r.bucketStart;
    a[k++] = r.count;
    a[k++] = r.sum;
    a[k++] = r.min;
    a[k++] = r.max;
  }
}
