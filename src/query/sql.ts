import { ALL_TAGS_HASH } from "../db/schema/data";
import type { Source } from "./plan";
import type { Aggregation } from "./types";

/**
 * The SQL of the query engine. Every value from a query travels as a bound parameter; the only
 * text spliced in is a table name from the fixed Source list and placeholders. SQLite specifics
 * stay in this directory (DESIGN.md "Beyond one machine").
 */
export type Param = string | number;
export type Fragment = { sql: string; params: Param[] };

export type TagCondition = { key: string; op: "in" | "not"; values: string[] };

/** One row of aggregated data: group key values (k0, k1, …), a row time, count/sum/min/max. */
export type AggRow = { b: number; c: number; s: number; lo: number; hi: number } & Record<string, unknown>;

/** The rollup tables; raw points (hour blocks) are read by src/storage/sqlite/points-read.ts. */
export type RollupSource = Exclude<Source, "points">;
const TABLES: Record<RollupSource, { table: string; time: string; agg: string }> = {
  rollup_1m: { table: "rollup_1m", time: "bucket_start", agg: "sum(r.count) AS c, sum(r.sum) AS s, min(r.min) AS lo, max(r.max) AS hi" },
  rollup_1h: { table: "rollup_1h", time: "bucket_start", agg: "sum(r.count) AS c, sum(r.sum) AS s, min(r.min) AS lo, max(r.max) AS hi" },
  rollup_1d: { table: "rollup_1d", time: "bucket_start", agg: "sum(r.count) AS c, sum(r.sum) AS s, min(r.min) AS lo, max(r.max) AS hi" },
};

const placeholders = (n: number) => Array(n).fill("?").join(", ");

/**
 * Ids of the metric's tagged series (never the all-tags row) whose tags pass every condition.
 * "in" needs the tag with one of the values; "not" passes series without the tag too.
 */
export function seriesIds(productId: string, metric: string, conditions: TagCondition[]): Fragment {
  let sql = "SELECT s.id FROM series s WHERE s.product_id = ? AND s.metric = ? AND s.tags_hash != ?";
  const params: Param[] = [productId, metric, ALL_TAGS_HASH];
  for (const c of conditions) {
    sql += ` AND ${c.op === "in" ? "EXISTS" : "NOT EXISTS"} (SELECT 1 FROM series_tags t WHERE t.series_id = s.id AND t.key = ? AND t.value IN (${placeholders(c.values.length)}))`;
    params.push(c.key, ...c.values);
  }
  return { sql, params };
}

/** The metric's reserved all-tags rollup row: the rollup of every series, one row per bucket. */
export const allTagsIdSql: Fragment = { sql: "SELECT id FROM series WHERE product_id = ? AND metric = ? AND tags_hash = ?", params: [] };

/** Where retention cut a product's raw points (src/writer/retention.ts records it). */
export const rawCutSql = "SELECT points_before AS before FROM retention_cuts WHERE product_id = ?";

/** Which series a read covers: the one all-tags row, or a set of tagged series. */
export type SeriesSet = { kind: "one"; id: number } | { kind: "many"; ids: Fragment };

function seriesWhere(set: SeriesSet): Fragment {
  return set.kind === "one" ? { sql: "r.series_id = ?", params: [set.id] } : { sql: `r.series_id IN (${set.ids.sql})`, params: set.ids.params };
}

/**
 * Count/sum/min/max per (group, bucket) in [from, to) of one rollup table. Rows lacking a groupBy
 * key land in group "" (LEFT JOIN + coalesce). Range parameters come last: `[...params, from, to]`.
 */
export function aggregateSql(source: RollupSource, set: SeriesSet, groupBy: string[], aggregation?: Aggregation): Fragment {
  const { table, time, agg } = TABLES[source];
  const where = seriesWhere(set);
  const params: Param[] = [];
  const cols: string[] = [];
  let joins = "";
  groupBy.forEach((key, i) => {
    joins += ` LEFT JOIN series_tags g${i} ON g${i}.series_id = r.series_id AND g${i}.key = ?`;
    params.push(key);
    cols.push(`coalesce(g${i}.value, '') AS k${i}`);
  });
  params.push(...where.params);
  const keys = groupBy.map((_, i) => `k${i}`);
  // One rollup series and no group keys: (series_id, bucket_start) is the key, so each row is its
  // own group and is read as it is (GROUP BY would cost a sorter pass, half the read of 720 rows).
  // Only the columns the aggregation reads (a third less to copy out); count tells empty buckets.
  if (set.kind === "one" && !groupBy.length) {
    const cols = aggregation ? ONE_SERIES_COLUMNS[aggregation] : "r.count AS c, r.sum AS s, r.min AS lo, r.max AS hi";
    const sql = `SELECT r.${time} AS b, ${cols} FROM ${table} r WHERE ${where.sql} AND r.${time} >= ? AND r.${time} < ?`;
    return { sql, params: where.params };
  }
  const sql =
    `SELECT ${[...cols, `r.${time} AS b`, agg].join(", ")} FROM ${table} r${joins}` +
    ` WHERE ${where.sql} AND r.${time} >= ? AND r.${time} < ?` +
    ` GROUP BY ${[...keys, `r.${time}`].join(", ")}`;
  return { sql, params };
}

const ONE_SERIES_COLUMNS: Record<Aggregation, string> = {
  sum: "r.count AS c, r.sum AS s",
  avg: "r.count AS c, r.sum AS s",
  count: "r.count AS c",
  min: "r.count AS c, r.min AS lo",
  max: "r.count AS c, r.max AS hi",
};

export const RAW_UNITS = [86_400_000, 3_600_000, 60_000, 1] as const;
export type RawUnit = (typeof RAW_UNITS)[number];

/** How many rollup rows a read of [from, to) would touch, counting no further than `limit`. */
export function countSql(source: RollupSource, set: SeriesSet): Fragment {
  const { table, time } = TABLES[source];
  const where = seriesWhere(set);
  return {
    sql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${table} r WHERE ${where.sql} AND r.${time} >= ? AND r.${time} < ? LIMIT ?)`,
    params: where.params,
  };
}

/** How many series a set covers (for the scan estimate). */
export function seriesCountSql(set: SeriesSet): Fragment {
  if (set.kind === "one") return { sql: "SELECT 1 AS n", params: [] };
  return { sql: `SELECT count(*) AS n FROM (${set.ids.sql})`, params: set.ids.params };
}
