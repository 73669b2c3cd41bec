import type { FieldRef, Scalar } from "../../query/events/fields";
import type { EventAggregation, ResolvedFilter, ResolvedMetricQuery } from "../../query/events/parse";
import type { PropertyMatch } from "../../goals/property-match";
import { bucketArms } from "../../query/events/sql";
import type { ClickHouseTransport, Params } from "./transport";

/**
 * The events planner's SQL in ClickHouse's dialect, giving the same rows as src/query/events/sql.ts
 * and fields.ts give on SQLite. Values travel as ClickHouse query parameters (`{vN:Type}`);
 * the only text spliced in is fixed SQL and parameter names.
 *
 * JSON: the stored properties/context are JSON text written by our own JSON.stringify, so
 * JSONExtractRaw gives the same minimal JSON text SQLite's `->` gives; an absent key is '' there
 * (NULL in SQLite), and JSON null is 'null' on both.
 */
export class Binder {
  readonly params: Params = {};
  private n = 0;
  bind(value: string | number | string[] | number[], type: string): string {
    const name = `v${this.n++}`;
    this.params[name] = value;
    return `{${name}:${type}}`;
  }
  str = (value: string) => this.bind(value, "String");
  int = (value: number) => this.bind(value, "Int64");
}

const COLUMNS: Record<string, string> = { "e.user_id": "user_id", "e.session_id": "session_id", "e.visitor_id": "visitor_id", "e.name": "name", "e.namespace": "namespace" };
const column = (f: FieldRef & { kind: "column" }) => COLUMNS[f.column]!;
const path = (b: Binder, f: FieldRef & { kind: "json" }) => f.segments.map((s) => b.str(s)).join(", ");

/** valueSql: a column as itself, a JSON field as its JSON text; NULL when absent or JSON null. */
export function chValue(b: Binder, f: FieldRef): string {
  if (f.kind === "column") return column(f);
  return `nullIf(nullIf(JSONExtractRaw(${f.doc}, ${path(b, f)}), ''), 'null')`;
}

/** numberSql: the field when it is a JSON number, else NULL. */
export function chNumber(b: Binder, f: FieldRef): string {
  if (f.kind === "column") return "CAST(NULL AS Nullable(Float64))";
  const p = path(b, f);
  return `if(JSONType(${f.doc}, ${p}) IN ('Int64', 'UInt64', 'Double'), JSONExtractFloat(${f.doc}, ${p}), NULL)`;
}

/** matchSql: JSON equality (the string "1" is not the number 1). */
export function chMatch(b: Binder, f: FieldRef, values: Scalar[]): string {
  if (f.kind === "column") {
    const strings = values.filter((x): x is string => typeof x === "string");
    return strings.length ? `${column(f)} IN (${strings.map((x) => b.str(x)).join(", ")})` : "0";
  }
  return `JSONExtractRaw(${f.doc}, ${path(b, f)}) IN (${values.map((x) => b.str(JSON.stringify(x))).join(", ")})`;
}

export function chWhere(b: Binder, productId: string, f: ResolvedFilter): string {
  const parts = [`product_id = ${b.str(productId)}`, `ts_ms >= ${b.int(f.from)}`, `ts_ms < ${b.int(f.to)}`];
  if (f.events) parts.push(`name IN (${f.events.map((x) => b.str(x)).join(", ")})`);
  if (f.namespaces) parts.push(`namespace IN (${f.namespaces.map((x) => b.str(x)).join(", ")})`);
  for (const c of f.properties) parts.push(chMatch(b, c.field, c.values));
  return parts.join(" AND ");
}

/** bucketIndexSql: runs of equal-width buckets as one `i0 + (ts − a) ÷ w` arm each (ts ≥ a, so intDiv floors). */
export function chBucketIndex(b: Binder, starts: number[], to: number): string {
  if (starts.length === 0) return "0";
  const arms = bucketArms(starts, to);
  const arm = (a: (typeof arms)[number]) => `(${b.int(a.i0)} + intDiv(ts_ms - ${b.int(a.anchor)}, ${b.int(a.width)}))`;
  if (arms.length === 1) return arm(arms[0]!);
  const cases = arms.slice(0, -1).map((a) => `ts_ms < ${b.int(a.end)}, ${arm(a)}`);
  return `multiIf(${cases.join(", ")}, ${arm(arms[arms.length - 1]!)})`;
}

/** SQLite's aggregates of nothing are NULL (count: 0): the -OrNull forms give the same. */
function chAggregate(b: Binder, aggregation: EventAggregation, q: Pick<ResolvedMetricQuery, "field">): string {
  if (aggregation === "count" && !q.field) return "count()";
  const f = q.field!;
  if (aggregation === "count") return `count(${chValue(b, f)})`;
  if (aggregation === "distinct") return `count(DISTINCT ${chValue(b, f)})`;
  return `${aggregation}OrNull(${chNumber(b, f)})`;
}

export function chMetricSql(productId: string, q: ResolvedMetricQuery, starts: number[], limit: number): { sql: string; params: Params } {
  const b = new Binder();
  const select = q.groupBy.map((g, i) => `${"time" in g ? chBucketIndex(b, starts, q.to) : chValue(b, g.field)} AS g${i}`);
  select.push(`${chAggregate(b, q.aggregation, q)} AS v`);
  let sql = `SELECT ${select.join(", ")} FROM events WHERE ${chWhere(b, productId, q)}`;
  if (q.groupBy.length) sql += ` GROUP BY ${q.groupBy.map((_, i) => `g${i}`).join(", ")} LIMIT ${limit}`;
  return { sql, params: b.params };
}

/**
 * json_extract's value of a key in properties, else (absent or JSON null) in context, as SQL
 * compares it: strings as text, numbers as numbers, true/false as 1/0. `doc` picks the column.
 */
const docOf = (k: string) => `if(ifNull(JSONType(properties, ${k}) != 'Null', 0), properties, context)`;

/** propertyMatchSql: each key equals one of its values, in properties or else context. */
export function chPropertyMatch(b: Binder, match: PropertyMatch | null | undefined): string {
  const parts: string[] = [];
  for (const [key, want] of Object.entries(match ?? {})) {
    const k = b.str(key);
    const d = docOf(k);
    const type = `JSONType(${d}, ${k})`;
    const arms = (Array.isArray(want) ? want : [want]).map((x) =>
      typeof x === "string"
        ? `(${type} = 'String' AND JSONExtractString(${d}, ${k}) = ${b.str(x)})`
        : `(${type} IN ('Int64', 'UInt64', 'Double', 'Bool') AND if(${type} = 'Bool', toFloat64(JSONExtractBool(${d}, ${k})), JSONExtractFloat(${d}, ${k})) = ${b.bind(Number(x), "Float64")})`,
    );
    parts.push(`(${arms.join(" OR ")})`);
  }
  return parts.length ? parts.join(" AND ") : "1";
}

/** `CAST(COALESCE(json_extract(properties, k), json_extract(context, k)) AS TEXT)`: a funnel's breakdown value. */
export function chBreakdown(b: Binder, key: string): string {
  const k = b.str(key);
  const d = docOf(k);
  const type = `JSONType(${d}, ${k})`;
  return `multiIf(${type} = 'Null', NULL, ${type} = 'String', JSONExtractString(${d}, ${k}), ${type} = 'Bool', if(JSONExtractBool(${d}, ${k}), '1', '0'), JSONExtractRaw(${d}, ${k}))`;
}

/** The person condition of src/writer/erase.ts (PERSON_MATCH): lower() is ASCII-only on both engines. */
export function chPersonMatch(b: Binder, person: string): string {
  const p = b.str(person);
  return `(user_id = ${p} OR visitor_id = ${p} OR lower(JSONExtractString(ifNull(context, ''), 'email')) = lower(${p}) OR lower(JSONExtractString(ifNull(properties, ''), 'email')) = lower(${p}))`;
}

/**
 * The newest seq stored (0 for none), from migration 0002's events_newest, written only once
 * the events up to it were acknowledged: every seq up to it is visible by the time it is.
 */
export const NEWEST_SEQ = "SELECT maxMerge(seq) AS n FROM events_newest";

/** Records `seq` as stored (after the insert that stored it). */
export function recordNewestSeq(ch: ClickHouseTransport, seq: number) {
  ch.insertSelect("events_newest", `SELECT maxState(toUInt64(${Math.trunc(seq)}))`);
}
