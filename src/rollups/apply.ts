import type { Database, Statement } from "bun:sqlite";
import { ROLLUPS, type RollupFold, type RollupTable } from "./aggregate";

/**
 * Writes folded rollups. Must run inside the caller's transaction (the write queue's flush, or
 * a rebuild). Adding is exact for count/min/max; sum differs from a raw re-sum only by
 * floating-point summation order (DESIGN.md: within 1e-9 relative).
 */
export type RollupWriter = { apply(fold: RollupFold): number };

export function createRollupWriter(sqlite: Database): RollupWriter {
  const statements = new Map<RollupTable, Statement>(
    ROLLUPS.map(({ table }) => [
      table,
      sqlite.prepare(
        `INSERT INTO ${table} (series_id, bucket_start, count, sum, min, max) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (series_id, bucket_start) DO UPDATE SET
           count = count + excluded.count,
           sum = sum + excluded.sum,
           min = min(min, excluded.min),
           max = max(max, excluded.max)`,
      ),
    ]),
  );
  return {
    /** Upserts every folded row; answers how many rows it wrote. */
    apply(fold) {
      let written = 0;
      for (const { table, rows } of fold.tables()) {
        const stmt = statements.get(table)!;
        for (const r of rows) stmt.run(r.seriesId, r.bucketStart, r.count, r.sum, r.min, r.max);
        written += rows.length;
      }
      return written;
    },
  };
}
