import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../../db/schema/data";
import type { AggRow, SeriesSet } from "../../query/sql";
import type { PointsReader } from "../plane";
import { chAggregateSql, chCountSql, chLastHoursSql, type GroupValues } from "./points-sql";
import type { ClickHouseTransport } from "./transport";
import { runStatement } from "../../query/statement";

/**
 * The points planner's reads on ClickHouse. Which series a read covers is still decided in the
 * SQLite series registry (on the same read connection the engine was called with); ClickHouse
 * holds the points and rollups of those series.
 */
export function clickhousePoints(ch: ClickHouseTransport, sqlite: Database): PointsReader {
  const idsOf = (set: SeriesSet): number[] =>
    set.kind === "one" ? [set.id] : (runStatement(sqlite, set.ids.sql, false, (st) => st.all(...set.ids.params)) as { id: number }[]).map((r) => r.id);
  return {
    aggregate(read) {
      const ids = idsOf(read.set);
      if (!ids.length) return [];
      const groups: GroupValues = read.groupBy.map((key) => {
        const set = read.set;
        const rows =
          set.kind === "one"
            ? []
            : (runStatement(sqlite, `SELECT series_id AS id, value FROM series_tags WHERE key = ? AND series_id IN (${set.ids.sql})`, false, (st) => st.all(key, ...set.ids.params)) as { id: number; value: string }[]);
        return { ids: rows.map((r) => r.id), values: rows.map((r) => r.value) };
      });
      const { sql, params } = chAggregateSql(read.source, read.productId, ids, groups, read.from, read.to, read.rawUnit);
      return ch.query(sql, params) as AggRow[];
    },
    count(read, limit) {
      const ids = idsOf(read.set);
      if (!ids.length || limit <= 0) return 0;
      const { sql, params } = chCountSql(read.source, read.productId, ids, read.from, read.to, limit);
      return Number(ch.query(sql, params)[0]?.n ?? 0);
    },
    mostRecentMetric(productId) {
      const series = sqlite.query("SELECT id, metric, created_at AS created FROM series WHERE product_id = ? AND tags_hash = ?").all(productId, ALL_TAGS_HASH) as { id: number; metric: string; created: number }[];
      if (!series.length) return null;
      const last = new Map(ch.query(chLastHoursSql, { p: productId, ids: series.map((s) => s.id) }).map((r) => [Number(r.id), Number(r.last)]));
      // As the SQLite plane orders it: data first, latest first, then first seen last, then name.
      series.sort((x, y) => {
        const a = last.get(x.id), b = last.get(y.id);
        if ((a === undefined) !== (b === undefined)) return a === undefined ? 1 : -1;
        if (a !== undefined && b !== undefined && a !== b) return b - a;
        return y.created - x.created || (x.metric < y.metric ? -1 : x.metric > y.metric ? 1 : 0);
      });
      return series[0]!.metric;
    },
  };
}
