import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../../db/schema/data";
import { RollupFold } from "../../rollups/aggregate";
import type { RollupWriter } from "../../rollups/apply";
import { recordRetentionCut } from "../../writer/retention";
import type { MinuteCuts } from "./minute-cut";

const MINUTE_MS = 60_000;
const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
const FIRST_STEP_MS = 3_600_000;

/**
 * Retention of raw points on SQLite (DESIGN.md "Operations"), run by the writer between flushes.
 * The cut moves forward in whole minutes, a window at a time, each window one short transaction:
 * its raw points are folded into minute rows, deleted, and the cut set to the window's end — so
 * at every commit minutes before the cut are rollup rows and minutes after it raw points
 * (src/storage/sqlite/minute-cut.ts), and a chart across the cut never counts a point twice or
 * misses one. A window holds at most about `limit` points (halved down to one minute when
 * denser, widened when sparse), so ingestion interleaves.
 */
export function createPointsRetention(sqlite: Database, rollups: RollupWriter, cuts: MinuteCuts) {
  const seriesOf = "SELECT id FROM series WHERE product_id = ? AND tags_hash != ?";
  // One index seek per series: the first raw time at or after a bound.
  const nextTime = sqlite.prepare(
    `SELECT min((SELECT p.ts_ms FROM points p WHERE p.series_id = s.id AND p.ts_ms >= ? ORDER BY p.ts_ms LIMIT 1)) AS t
     FROM series s WHERE s.product_id = ? AND s.tags_hash != ?`,
  );
  const countWindow = sqlite.prepare(
    `SELECT count(*) AS n FROM (SELECT 1 FROM points WHERE series_id IN (${seriesOf}) AND ts_ms >= ? AND ts_ms < ? LIMIT ?)`,
  );
  const readWindow = sqlite.prepare(
    `SELECT p.series_id AS s, a.id AS a, p.ts_ms AS t, p.value AS v FROM points p
       JOIN series s ON s.id = p.series_id
       JOIN series a ON a.product_id = s.product_id AND a.metric = s.metric AND a.tags_hash = ?
     WHERE s.product_id = ? AND s.tags_hash != ? AND p.ts_ms >= ? AND p.ts_ms < ? ORDER BY p.series_id, p.ts_ms`,
  );
  const deleteWindow = sqlite.prepare(`DELETE FROM points WHERE series_id IN (${seriesOf}) AND ts_ms >= ? AND ts_ms < ?`);
  const steps = new Map<string, number>();

  /** Moves the product's cut towards `before` by one window; answers the points deleted, 0 once there. */
  function deleteOldPoints(productId: string, before: number, limit: number): number {
    const target = floorMinute(before);
    const cut = cuts.of(productId);
    if (cut >= target) return 0;
    const first = (nextTime.get(Number.isFinite(cut) ? cut : Number.MIN_SAFE_INTEGER, productId, ALL_TAGS_HASH) as { t: number | null }).t;
    if (first === null || first >= target) return moveCut(productId, target, () => 0);
    // Never empty: it starts at the minute of a point (at or after the cut, which is a whole minute).
    const lo = floorMinute(first);
    let step = steps.get(productId) ?? FIRST_STEP_MS;
    let hi: number;
    let n: number;
    for (;;) {
      hi = Math.min(target, lo + step);
      n = (countWindow.get(productId, ALL_TAGS_HASH, lo, hi, limit + 1) as { n: number }).n;
      if (n <= limit || step === MINUTE_MS) break;
      step = Math.max(MINUTE_MS, floorMinute(step / 2));
    }
    steps.set(productId, n * 4 <= limit ? step * 2 : step);
    return moveCut(productId, hi, () => {
      const fold = new RollupFold(["rollup_1m"]);
      const rows = readWindow.all(ALL_TAGS_HASH, productId, ALL_TAGS_HASH, lo, hi) as { s: number; a: number; t: number; v: number }[];
      for (let i = 0; i < rows.length; ) {
        const { s, a } = rows[i]!;
        const t: number[] = [];
        const v: number[] = [];
        for (; i < rows.length && rows[i]!.s === s; i++) (t.push(rows[i]!.t), v.push(rows[i]!.v));
        fold.addSeries(s, a, t, v);
      }
      rollups.apply(fold);
      return deleteWindow.run(productId, ALL_TAGS_HASH, lo, hi).changes;
    });
  }

  function moveCut(productId: string, to: number, work: () => number): number {
    const deleted = sqlite.transaction(() => {
      const n = work();
      recordRetentionCut(sqlite, productId, to);
      return n;
    }).immediate();
    cuts.moved(productId, to);
    return deleted;
  }

  return { deleteOldPoints, forget: (productId: string) => (steps.delete(productId), cuts.forget(productId)) };
}
