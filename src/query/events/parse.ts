import * as v from "valibot";
import { AppError } from "../../lib/errors";
import { MAX_NAME, nameProblem } from "../../lib/names";
import { estimateBuckets, resolveRange } from "../../lib/time/calendar";
import { parseRfc3339, RFC3339_HINT } from "../../lib/time/rfc3339";
import { isValidZone } from "../../lib/time/zone";
import { GRANULARITIES, type Granularity } from "../types";
import { MAX_BUCKETS } from "../parse";
import { FIELD, fieldRef, type FieldRef, type Scalar } from "./fields";

/**
 * `POST /api/v1/metrics/query` input (seed 002 §3.1.2, DESIGN.md "Product analytics on events"),
 * checked and resolved for the events planner. Every refusal is a 400 `invalid_query` naming the
 * field it is about.
 */
export const EVENT_AGGREGATIONS = ["count", "sum", "avg", "min", "max", "distinct"] as const;
export type EventAggregation = (typeof EVENT_AGGREGATIONS)[number];

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10_000;
const MAX_VALUES = 100;
const DEFAULT_DAYS = 30;

const Name = v.pipe(
  v.string("a name is a string"),
  v.check((s) => nameProblem(s, "name") === null, `names are 1–${MAX_NAME} characters without control characters or surrounding spaces`),
);
const Names = v.union([Name, v.pipe(v.array(Name), v.minLength(1, "give at least one name"), v.maxLength(MAX_VALUES, `at most ${MAX_VALUES} names`))], "one name or a list of names");
const Field = v.pipe(v.string("a field name is a string"), v.regex(FIELD, "field names are letters, digits, _ - : (properties.x / context.x to say where)"));
const Scalar = v.union([v.pipe(v.string(), v.maxLength(MAX_NAME)), v.pipe(v.number(), v.finite()), v.boolean()], "a string, number or boolean");
const Values = v.union([Scalar, v.pipe(v.array(Scalar), v.minLength(1, "give at least one value"), v.maxLength(MAX_VALUES, `at most ${MAX_VALUES} values`))], "a value or a list of values");
const TimeRange = v.union(
  [v.strictObject({ start: v.string(`start must be ${RFC3339_HINT}`), end: v.string(`end must be ${RFC3339_HINT}`) }), v.string()],
  '{ "start", "end" } (RFC 3339) or a range like "7d"',
);

export const FilterSchema = v.strictObject(
  {
    namespace: v.optional(Names),
    event: v.optional(Names),
    properties: v.optional(v.pipe(v.record(Field, Values, "properties is an object of field → value"), v.check((p) => Object.keys(p).length <= 20, "at most 20 property filters"))),
    timeRange: v.optional(TimeRange),
  },
  "filter is an object of namespace, event, properties, timeRange",
);

export const MetricQuerySchema = v.strictObject(
  {
    metric: Name,
    filter: v.optional(FilterSchema),
    groupBy: v.optional(v.pipe(v.array(Field, "groupBy is a list of time units and field names"), v.maxLength(5, "group by at most 5 names"), v.check((g) => new Set(g).size === g.length, "groupBy names a field twice"))),
    aggregation: v.optional(v.picklist(EVENT_AGGREGATIONS, `aggregation must be one of ${EVENT_AGGREGATIONS.join(", ")}`)),
    aggregationField: v.optional(Field),
    orderBy: v.optional(v.strictObject({ field: v.string("orderBy.field is value or a groupBy name"), direction: v.optional(v.picklist(["asc", "desc"], "direction is asc or desc")) })),
    limit: v.optional(v.pipe(v.number("limit is a number"), v.integer("limit is a whole number"), v.minValue(1, "limit is at least 1"), v.maxValue(MAX_LIMIT, `limit is at most ${MAX_LIMIT}`))),
    timezone: v.optional(v.string("timezone is an IANA name like Europe/Berlin")),
  },
  "the query is a JSON object",
);
export type MetricQuery = v.InferOutput<typeof MetricQuerySchema>;
export type EventFilter = v.InferOutput<typeof FilterSchema>;

export type PropertyCondition = { field: FieldRef; values: Scalar[] };
/** One groupBy entry: the time unit, or a field. */
export type GroupKey = { name: string; time: Granularity } | { name: string; field: FieldRef };

export type ResolvedFilter = { from: number; to: number; events: string[] | null; namespaces: string[] | null; properties: PropertyCondition[] };
export type ResolvedMetricQuery = ResolvedFilter & {
  metric: string;
  aggregation: EventAggregation;
  field: FieldRef | null;
  zone: string;
  groupBy: GroupKey[];
  /** The one time unit among groupBy, if any. */
  time: Granularity | null;
  orderBy: { key: "value" | number; desc: boolean } | null;
  limit: number;
};

export const invalid = (field: string, message: string) => new AppError(400, "invalid_query", message, { field });

/** valibot's first issue as our 400, naming the path (an unknown key names the key itself). */
export function parseWith<T extends v.GenericSchema>(schema: T, raw: unknown): v.InferOutput<T> {
  refuseProtoKeys(raw, "");
  const r = v.safeParse(schema, raw);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  const path = v.getDotPath(issue);
  if (issue.kind === "schema" && issue.expected === "never" && path) throw invalid(path, `unknown field "${path}"`);
  throw invalid(path ?? "query", issue.message);
}

/** A JSON body can carry "__proto__" as an own key; schema libraries let it slip, so refuse it first. */
function refuseProtoKeys(x: unknown, path: string, depth = 0) {
  if (!x || typeof x !== "object" || depth > 4) return;
  for (const k of Object.keys(x)) {
    if (k === "__proto__" || k === "constructor" || k === "prototype") throw invalid(path ? `${path}.${k}` : k, `"${k}" is not a field name`);
    refuseProtoKeys((x as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
  }
}

export function resolveMetricQuery(raw: unknown, opts: { timezone: string; now: number }): ResolvedMetricQuery {
  const q = parseWith(MetricQuerySchema, raw);
  const zone = q.timezone ?? opts.timezone;
  if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"; use an IANA name like Europe/Berlin`);
  const filter = resolveFilter(q.filter, zone, opts.now, "filter");
  const aggregation = q.aggregation ?? "count";
  if (aggregation !== "count" && !q.aggregationField) throw invalid("aggregationField", `aggregation "${aggregation}" needs an aggregationField (a property or context field)`);
  const groupBy: GroupKey[] = (q.groupBy ?? []).map((name) => ((GRANULARITIES as string[]).includes(name) ? { name, time: name as Granularity } : { name, field: fieldRef(name) }));
  const times = groupBy.filter((g): g is { name: string; time: Granularity } => "time" in g);
  if (times.length > 1) throw invalid("groupBy", "group by at most one time unit (minute, hour, day, week or month)");
  const time = times[0]?.time ?? null;
  if (time) {
    const n = estimateBuckets(time, filter.from, filter.to);
    if (n > MAX_BUCKETS) throw new AppError(400, "query_too_large", `Grouping this range by ${time} makes about ${n} buckets (at most ${MAX_BUCKETS}): pick a coarser unit or a shorter timeRange`, { field: "groupBy" });
  }
  let orderBy: ResolvedMetricQuery["orderBy"] = null;
  if (q.orderBy) {
    const i = q.groupBy?.indexOf(q.orderBy.field) ?? -1;
    if (q.orderBy.field !== "value" && i < 0) throw invalid("orderBy.field", `orderBy.field is "value" or one of groupBy (${(q.groupBy ?? []).join(", ") || "none given"})`);
    orderBy = { key: q.orderBy.field === "value" ? "value" : i, desc: q.orderBy.direction === "desc" };
  }
  return {
    ...filter,
    metric: q.metric,
    aggregation,
    field: q.aggregationField ? fieldRef(q.aggregationField) : null,
    zone,
    groupBy,
    time,
    orderBy,
    limit: q.limit ?? DEFAULT_LIMIT,
  };
}

/** The filter part, shared with `events/query`: names as lists, properties as conditions, times as instants. */
export function resolveFilter(f: EventFilter | undefined, zone: string, now: number, at: string): ResolvedFilter {
  const { from, to } = resolveTimeRange(f?.timeRange, zone, now, `${at}.timeRange`);
  const list = (x: string | string[] | undefined) => (x === undefined ? null : [...new Set(Array.isArray(x) ? x : [x])]);
  const properties = Object.entries(f?.properties ?? {}).map(([name, val]) => ({ field: fieldRef(name), values: Array.isArray(val) ? val : [val] }));
  return { from, to, events: list(f?.event), namespaces: list(f?.namespace), properties };
}

const RANGE = /^([1-9]\d{0,3})(h|d|w|mo|y)$/;

function resolveTimeRange(t: { start: string; end: string } | string | undefined, zone: string, now: number, at: string): { from: number; to: number } {
  if (t === undefined) return resolveRange(zone, DEFAULT_DAYS, "d", now);
  if (typeof t === "string") {
    const m = RANGE.exec(t);
    if (!m) throw invalid(at, 'timeRange is { "start", "end" } or a range like "24h", "7d", "12w", "6mo", "1y"');
    return resolveRange(zone, Number(m[1]), m[2] as "d", now);
  }
  const from = parseRfc3339(t.start);
  if (from === undefined) throw invalid(`${at}.start`, `start must be ${RFC3339_HINT}`);
  const to = parseRfc3339(t.end);
  if (to === undefined) throw invalid(`${at}.end`, `end must be ${RFC3339_HINT}`);
  if (from > to) throw invalid(`${at}.start`, "start must not be after end");
  return { from, to };
}
