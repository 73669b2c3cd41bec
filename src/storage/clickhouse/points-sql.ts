import type { Source } from "../../query/plan";
import type { RawUnit } from "../../query/sql";
import type { Params } from "./transport";

/**
 * The points planner's reads in ClickHouse SQL: the same rows as src/query/sql.ts gives on
 * SQLite (count/sum/min/max per group and row time), so the same Fold answers. Series come as an
 * id list resolved in the SQLite series registry; a groupBy key's value per series travels as
 * two arrays for transform() (a series without the tag lands in group "", as the LEFT JOIN does
 * there). The only text spliced in is a table from the fixed Source list and a RAW_UNITS width.
 */
const ROLLUP_AGG = "sumMerge(count) AS c, sumMerge(sum) AS s, minMerge(min) AS lo, maxMerge(max) AS hi";
const RAW_AGG = "count() AS c, sum(value) AS s, min(value) AS lo, max(value) AS hi";

export type GroupValues = { ids: number[]; values: string[] }[];

export function chAggregateSql(source: Source, productId: string, ids: number[], groups: GroupValues, from: number, to: number, rawUnit: RawUnit): { sql: string; params: Params } {
  const params: Params = { p: productId, ids, from, to };
  const keys = groups.map((_, i) => `k${i}`);
  const cols = groups.map((g, i) => {
    params[`g${i}i`] = g.ids;
    params[`g${i}v`] = g.values;
    return `transform(series_id, {g${i}i:Array(UInt64)}, {g${i}v:Array(String)}, '') AS k${i}`;
  });
  const where = "product_id = {p:String} AND series_id IN {ids:Array(UInt64)}";
  if (source !== "points") {
    const sql =
      `SELECT ${[...cols, "bucket_start AS b", ROLLUP_AGG].join(", ")} FROM ${source}` +
      ` WHERE ${where} AND bucket_start >= {from:Int64} AND bucket_start < {to:Int64} GROUP BY ${[...keys, "bucket_start"].join(", ")}`;
    return { sql, params };
  }
  // rawUnit is one of RAW_UNITS; ClickHouse's % truncates like SQLite's, hence the double mod.
  const slice = rawUnit === 1 ? "ts_ms" : `ts_ms - ((ts_ms % ${rawUnit}) + ${rawUnit}) % ${rawUnit}`;
  const sql =
    `SELECT ${[...cols, rawUnit === 1 ? "ts_ms AS b" : "min(ts_ms) AS b", RAW_AGG].join(", ")} FROM points` +
    ` WHERE ${where} AND ts_ms >= {from:Int64} AND ts_ms < {to:Int64} GROUP BY ${[...keys, slice].join(", ")}`;
  return { sql, params };
}

export function chCountSql(source: Source, productId: string, ids: number[], from: number, to: number, limit: number): { sql: string; params: Params } {
  const time = source === "points" ? "ts_ms" : "bucket_start";
  return {
    sql: `SELECT count() AS n FROM (SELECT 1 FROM ${source} WHERE product_id = {p:String} AND series_id IN {ids:Array(UInt64)} AND ${time} >= {from:Int64} AND ${time} < {to:Int64} LIMIT {limit:UInt64})`,
    params: { p: productId, ids, from, to, limit: Math.max(0, limit) },
  };
}

export const chLastHoursSql =
  "SELECT series_id AS id, max(bucket_start) AS last FROM rollup_1h WHERE product_id = {p:String} AND series_id IN {ids:Array(UInt64)} GROUP BY series_id";
