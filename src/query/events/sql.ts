import type { Fragment, Param } from "../sql";
import { matchSql, numberSql, valueSql } from "./fields";
import type { EventAggregation, ResolvedFilter, ResolvedMetricQuery } from "./parse";

/**
 * SQL of the events planner, on the `events` table (alias `e`). Values travel as bound
 * parameters; the only text spliced in is fixed SQL and placeholders. SQLite specifics stay in
 * src/query/ (DESIGN.md "Beyond one machine").
 */
const marks = (n: number) => Array(n).fill("?").join(", ");

/** Product, time range, event names, namespaces and property conditions. Reads the (product, name, time) index when events are named. */
export function whereSql(productId: string, f: ResolvedFilter): Fragment {
  const parts = ["e.product_id = ?", "e.ts_ms >= ?", "e.ts_ms < ?"];
  const params: Param[] = [productId, f.from, f.to];
  if (f.events) {
    parts.push(`e.name IN (${marks(f.events.length)})`);
    params.push(...f.events);
  }
  if (f.namespaces) {
    parts.push(`e.namespace IN (${marks(f.namespaces.length)})`);
    params.push(...f.namespaces);
  }
  for (const c of f.properties) {
    const m = matchSql(c.field, c.values);
    parts.push(m.sql);
    params.push(...m.params);
  }
  return { sql: parts.join(" AND "), params };
}

/**
 * A bucket's index for each row, exact for any zone: bucket i is [bounds[i], bounds[i+1]) as
 * the calendar (bucketStarts) laid them out, DST days of 23 or 25 hours and repeated midnights
 * included. Runs of buckets of equal width become one arithmetic step, `i0 + (ts − a) / w`
 * (integer division), so 30 days in Berlin are at most three CASE arms, not thirty.
 * `starts` are the unclipped bucket starts (the first at or before `from`); every row is < `to`.
 */
export function bucketIndexSql(starts: number[], to: number): Fragment {
  // An empty range has no buckets and no rows to place.
  if (starts.length === 0) return { sql: "0", params: [] };
  const arms = bucketArms(starts, to);
  if (arms.length === 1) {
    const a = arms[0]!;
    return { sql: `(? + (e.ts_ms - ?) / ?)`, params: [a.i0, a.anchor, a.width] };
  }
  let sql = "CASE";
  const params: Param[] = [];
  arms.forEach((a, k) => {
    if (k < arms.length - 1) {
      sql += " WHEN e.ts_ms < ? THEN ? + (e.ts_ms - ?) / ?";
      params.push(a.end, a.i0, a.anchor, a.width);
    } else {
      sql += " ELSE ? + (e.ts_ms - ?) / ? END";
      params.push(a.i0, a.anchor, a.width);
    }
  });
  return { sql, params };
}

export type BucketArm = { end: number; i0: number; anchor: number; width: number };

/** The runs of equal-width buckets of bucketIndexSql, on every engine (the ClickHouse SQL reads them too). */
export function bucketArms(starts: number[], to: number): BucketArm[] {
  const n = starts.length;
  const arms: BucketArm[] = [];
  for (let i = 0; i < n; i++) {
    const end = i + 1 < n ? starts[i + 1]! : to;
    const width = end - starts[i]!;
    const last = arms[arms.length - 1];
    // The last bucket is clipped at `to`: it joins a run when it is no wider than the run's step.
    if (last && (last.width === width || (i === n - 1 && width <= last.width))) last.end = end;
    else arms.push({ end, i0: i, anchor: starts[i]!, width: Math.max(width, 1) });
  }
  return arms;
}

function aggregateExpr(aggregation: EventAggregation, q: Pick<ResolvedMetricQuery, "field">): Fragment {
  if (aggregation === "count" && !q.field) return { sql: "count(*)", params: [] };
  const f = q.field!;
  if (aggregation === "count") return wrap("count(", valueSql(f), ")");
  if (aggregation === "distinct") return wrap("count(DISTINCT ", valueSql(f), ")");
  return wrap(`${aggregation}(`, numberSql(f), ")");
}

const wrap = (a: string, f: Fragment, b: string): Fragment => ({ sql: a + f.sql + b, params: f.params });

/**
 * One row per group: `g0…gN` in groupBy order (a time unit as its bucket index, a field as
 * valueSql), then `v`. Grouped by column ordinals, so the JSON-path parameters are bound once.
 */
export function metricSql(productId: string, q: ResolvedMetricQuery, starts: number[]): Fragment {
  const select: string[] = [];
  const params: Param[] = [];
  q.groupBy.forEach((g, i) => {
    const x = "time" in g ? bucketIndexSql(starts, q.to) : valueSql(g.field);
    select.push(`${x.sql} AS g${i}`);
    params.push(...x.params);
  });
  const agg = aggregateExpr(q.aggregation, q);
  select.push(`${agg.sql} AS v`);
  params.push(...agg.params);
  const where = whereSql(productId, q);
  params.push(...where.params);
  let sql = `SELECT ${select.join(", ")} FROM events e WHERE ${where.sql}`;
  if (q.groupBy.length) sql += ` GROUP BY ${q.groupBy.map((_, i) => i + 1).join(", ")}`;
  return { sql, params };
}
