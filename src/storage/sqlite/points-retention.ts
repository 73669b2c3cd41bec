import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../../db/schema/data";
import { RollupFold } from "../../rollups/aggregate";
import type { RollupWriter } from "../../rollups/apply";
import { recordRetentionCut } from "../../writer/retention";
import type { MinuteCuts } from "./minute-cut";
import { BLOCK_MS, blockOf, decodeBlock, encodeBlock } from "./point-blocks";

const MINUTE_MS = 60_000;
const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
const FIRST_STEP_MS = 3_600_000;

/**
 * Retention of raw points on SQLite (DESIGN.md "Operations"), run by the writer between flushes.
 * The cut moves forward in whole minutes, a window at a time, each window one short transaction:
 * its raw points are folded into minute rows, taken out of their hour blocks (src/storage/sqlite/point-blocks.ts),
 * and the cut set to the window's end — so
 * at every commit minutes before the cut are rollup rows and minutes after it raw points
 * (src/storage/sqlite/minute-cut.ts), and a chart across the cut never counts a point twice or
 * misses one. A window holds at most about `limit` points (halved down to one minute when
 * denser, widened when sparse), so ingestion interleaves.
 */
export function createPointsRetention(sqlite: Database, rollups: RollupWriter, cuts: MinuteCuts) {
  const seriesOf = "SELECT id FROM series WHERE product_id = ? AND tags_hash != ?";
  // The first raw time at or after the cut: the earliest block of each series (one index seek), its smallest t_min.
  const nextTime = sqlite.prepare(
    `SELECT min((SELECT min(b.t_min) FROM point_blocks b WHERE b.series_id = s.id
        AND b.block = (SELECT c.block FROM point_blocks c WHERE c.series_id = s.id AND c.block >= ? ORDER BY c.block LIMIT 1))) AS t
     FROM series s WHERE s.product_id = ? AND s.tags_hash != ?`,
  );
  // Points of the blocks that start before the window's end (blocks hold minutes of one hour, so close to the window's own count).
  const countWindow = sqlite.prepare(
    `SELECT coalesce(sum(n), 0) AS n FROM (SELECT n FROM point_blocks WHERE series_id IN (${seriesOf}) AND block >= ? AND block <= ? AND t_min < ? LIMIT ?)`,
  );
  const readWindow = sqlite.prepare(
    `SELECT b.id AS id, b.series_id AS s, a.id AS a, b.block AS k, b.data AS d FROM point_blocks b
       JOIN series s ON s.id = b.series_id
       JOIN series a ON a.product_id = s.product_id AND a.metric = s.metric AND a.tags_hash = ?
     WHERE s.product_id = ? AND s.tags_hash != ? AND b.block >= ? AND b.block <= ? AND b.t_min < ?`,
  );
  const deleteBlock = sqlite.prepare("DELETE FROM point_blocks WHERE id = ?");
  const keepInBlock = sqlite.prepare("UPDATE point_blocks SET n = ?, t_min = ?, t_max = ?, data = ? WHERE id = ?");
  const steps = new Map<string, number>();

  /** Moves the product's cut towards `before` by one window; answers the points deleted, 0 once there. */
  function deleteOldPoints(productId: string, before: number, limit: number): number {
    const target = floorMinute(before);
    const cut = cuts.of(productId);
    if (cut >= target) return 0;
    const first = (nextTime.get(Number.isFinite(cut) ? blockOf(cut) : Number.MIN_SAFE_INTEGER, productId, ALL_TAGS_HASH) as { t: number | null }).t;
    if (first === null || first >= target) return moveCut(productId, target, () => 0);
    // Never empty: it starts at the minute of a point (at or after the cut, which is a whole minute).
    const lo = floorMinute(first);
    let step = steps.get(productId) ?? FIRST_STEP_MS;
    let hi: number;
    let n: number;
    for (;;) {
      hi = Math.min(target, lo + step);
      n = (countWindow.get(productId, ALL_TAGS_HASH, blockOf(lo), blockOf(hi - 1), hi, limit + 1) as { n: number }).n;
      if (n <= limit || step === MINUTE_MS) break;
      step = Math.max(MINUTE_MS, floorMinute(step / 2));
    }
    steps.set(productId, n * 4 <= limit ? step * 2 : step);
    return moveCut(productId, hi, () => {
      // Points before `hi` leave their blocks (a block left empty goes) and are folded into minute rows.
      const folded = new Map<number, { a: number; t: number[]; v: number[] }>();
      let deleted = 0;
      for (const row of readWindow.all(ALL_TAGS_HASH, productId, ALL_TAGS_HASH, blockOf(lo), blockOf(hi - 1), hi) as { id: number; s: number; a: number; k: number; d: string }[]) {
        const base = row.k * BLOCK_MS;
        const kept: number[] = [];
        const keptV: number[] = [];
        let tMin = Infinity;
        let tMax = -Infinity;
        let f = folded.get(row.s);
        if (!f) folded.set(row.s, (f = { a: row.a, t: [], v: [] }));
        for (const [offset, v] of decodeBlock(row.d)) {
          const t = base + offset;
          if (t < hi) (f.t.push(t), f.v.push(v), deleted++);
          else {
            kept.push(t);
            keptV.push(v);
            if (t < tMin) tMin = t;
            if (t > tMax) tMax = t;
          }
        }
        if (!kept.length) deleteBlock.run(row.id);
        else keepInBlock.run(kept.length, tMin, tMax, encodeBlock(row.k, kept, keptV), row.id);
      }
      const fold = new RollupFold(["rollup_1m"]);
      for (const [s, { a, t, v }] of folded) {
        if (!t.length) continue;
        const order = t.map((_, i) => i).sort((x, y) => t[x]! - t[y]!);
        fold.addSeries(s, a, order.map((i) => t[i]!), order.map((i) => v[i]!));
      }
      rollups.apply(fold);
      return deleted;
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
