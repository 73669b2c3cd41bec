import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../../db/schema/data";
import type { AggRow, SeriesSet } from "../../query/sql";
import type { PointBatches, PointRow } from "../../query/export-rows";
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
    timeOrdered(productId, ids, from, to) {
      const list = (runStatement(sqlite, ids.sql, false, (st) => st.all(...ids.params)) as { id: number }[]).map((r) => r.id);
      return clickhouseTimeOrdered(ch, productId, list, from, to);
    },
  };
}

// A window holds about this many rows; past CAP it is read again narrower (as export-rows.ts on SQLite).
const TARGET_ROWS = 8192;
const CAP = 8 * TARGET_ROWS;

/**
 * The CSV export's raw points from ClickHouse, in time windows sorted by ClickHouse
 * (ORDER BY ts_ms, series_id): memory bounded by one window; an empty window jumps to the next
 * point. The width adapts so a window holds about TARGET_ROWS rows.
 */
export function clickhouseTimeOrdered(ch: ClickHouseTransport, productId: string, ids: number[], from: number, to: number): PointBatches {
  const where = "product_id = {p:String} AND series_id IN {ids:Array(UInt64)} AND ts_ms >= {a:Int64} AND ts_ms < {b:Int64}";
  const window = (a: number, b: number, limit: number) =>
    ch.query(`SELECT series_id AS s, ts_ms AS t, value AS v FROM points WHERE ${where} ORDER BY t, s LIMIT {limit:UInt64}`, { p: productId, ids, a, b, limit }) as PointRow[];
  const nextTime = (a: number): number | null => {
    const row = ch.query(`SELECT min(ts_ms) AS t, count() AS n FROM points WHERE ${where}`, { p: productId, ids, a, b: to })[0];
    return row && Number(row.n) > 0 ? Number(row.t) : null;
  };
  let start: number | null | undefined = ids.length ? undefined : null;
  let width = 60_000;
  let closed = false;
  return {
    next() {
      if (closed) return null;
      if (start === undefined) start = nextTime(from);
      while (start !== null && start < to) {
        const end = Math.min(to, start + width);
        // One millisecond past CAP rows is read whole (nothing narrower exists).
        const rows = window(start, end, width > 1 ? CAP + 1 : Number.MAX_SAFE_INTEGER);
        if (rows.length > CAP && width > 1) {
          width = Math.max(1, Math.floor(width / 8));
          continue;
        }
        if (!rows.length) {
          start = nextTime(end);
          continue;
        }
        start = end;
        width = Math.max(1, Math.min(width * 4, Math.floor((width * TARGET_ROWS) / rows.length)));
        return rows;
      }
      return null;
    },
    close() {
      closed = true;
    },
  };
}
