import type { Database } from "bun:sqlite";
import { rawCutSql } from "../../query/sql";

/**
 * Where a product's minute rollup rows end and its raw points begin (retention_cuts.points_before,
 * always on a whole minute). On SQLite the two never overlap:
 * - before the cut, minutes live in rollup_1m only: retention folds raw points into minute rows
 *   as it deletes them, and a point that arrives for a time before the cut is folded, not stored raw;
 * - from the cut on, minutes are answered from raw points, and no minute row is written.
 * A product without retention has no cut: no minute rows at all. Hour and day rows are always
 * complete. Storing a minute row per point halved ingest and doubled bytes per point (measured in
 * the bench), while raw points answer the minute buckets just as exactly.
 */
export function createMinuteCuts(sqlite: Database) {
  const read = sqlite.prepare(rawCutSql);
  // The writer is the only writer of retention_cuts, so what it read once stays true until it moves it.
  const cuts = new Map<string, number>();
  return {
    of(productId: string): number {
      let cut = cuts.get(productId);
      if (cut === undefined) cuts.set(productId, (cut = (read.get(productId) as { before: number } | null)?.before ?? -Infinity));
      return cut;
    },
    /** After a retention transaction that moved the cut has committed. */
    moved(productId: string, cut: number) {
      cuts.set(productId, Math.max(cut, cuts.get(productId) ?? -Infinity));
    },
    forget(productId: string) {
      cuts.delete(productId);
    },
  };
}
export type MinuteCuts = ReturnType<typeof createMinuteCuts>;
