import type { Database } from "bun:sqlite";
import { RollupFold } from "../../rollups/aggregate";
import { createRollupWriter } from "../../rollups/apply";
import type { SeriesRows } from "../../writer/apply-batch";
import type { PointsSink } from "../plane";
import { createMinuteCuts } from "./minute-cut";
import { createPointsRetention } from "./points-retention";
import { createBlockWriter } from "./point-blocks";

/**
 * Raw points (in hour blocks, src/storage/sqlite/point-blocks.ts) and their rollups (folded in
 * memory first) into the flush's SQLite transaction.
 * A point before its product's retention cut is folded into a minute row instead of stored raw
 * (src/storage/sqlite/minute-cut.ts: the two never overlap).
 */
export function createSqlitePointsSink(sqlite: Database): PointsSink {
  const rollups = createRollupWriter(sqlite);
  const cuts = createMinuteCuts(sqlite);
  const retention = createPointsRetention(sqlite, rollups, cuts);
  const blocks = createBlockWriter(sqlite);

  return {
    tokens: false,
    write(chunks) {
      // Groups come in (series, time) order: a series is split into its hours in one pass.
      const groups = chunks.flatMap((c) => c.groups);
      const fold = new RollupFold();
      let count = 0;
      for (const g of groups) {
        const cut = cuts.of(g.p);
        fold.addSeries(g.s, g.a, g.t, g.v, cut);
        count += g.t.length;
        let i = 0;
        while (i < g.t.length && g.t[i]! < cut) i++;
        blocks.write(g.s, g.t, g.v, i);
      }
      blocks.finish();
      rollups.apply(fold);
      return count;
    },
    // The purge deletes point_blocks rows by series (it finds every series-keyed table itself).
    purgeProduct: () => (blocks.forget(), 0),
    deleteOldPoints: (productId, before, limit) => (blocks.forget(), retention.deleteOldPoints(productId, before, limit)),
    close() {},
  };
}

/** A series' points in time order (stable; most clients send them in order already). */
export function sortByTime(g: SeriesRows): SeriesRows {
  if (g.sorted) return g;
  const order = g.t.map((_, i) => i).sort((x, y) => g.t[x]! - g.t[y]! || x - y);
  return { ...g, t: order.map((i) => g.t[i]!), v: order.map((i) => g.v[i]!), sorted: true };
}

/** Groups in (series, time) order, as both engines want them. */
export function sortedGroups(rows: Map<number, SeriesRows>): SeriesRows[] {
  return [...rows.keys()].sort((x, y) => x - y).map((id) => sortByTime(rows.get(id)!));
}
