import * as v from "valibot";
import { AppError } from "../lib/errors";
import { parseRfc3339, RFC3339_HINT } from "../lib/time/rfc3339";
import { MetricRefSchema, TagKeySchema, TagValueSchema } from "../lib/names";
import { estimateBuckets, resolveRange } from "../lib/time/calendar";
import { isValidZone } from "../lib/time/zone";
import type { TagCondition } from "./sql";
import { AGGREGATIONS, GRANULARITIES, type Aggregation, type Granularity, type QueryInput } from "./types";

/**
 * The query's input checked and resolved: times as instants, the zone settled, filters as
 * conditions. Every refusal is a 400 naming the field it is about.
 */
export type ResolvedQuery = {
  metric: string;
  aggregation: Aggregation;
  granularity: Granularity | null;
  from: number;
  to: number;
  zone: string;
  conditions: TagCondition[];
  groupBy: string[];
  groupLimit: number;
};

/** More buckets than this is refused (a 10-year minute chart would be 5 million points). */
export const MAX_BUCKETS = 20_000;
export const DEFAULT_GROUP_LIMIT = 10;
const MAX_FILTER_VALUES = 100;

const TagKey = TagKeySchema;
const TagValue = TagValueSchema;
const TagValues = v.pipe(v.array(TagValue, "a list of tag values"), v.minLength(1, "give at least one value"), v.maxLength(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} values`));
const Filter = v.union(
  [TagValue, TagValues, v.strictObject({ not: TagValue })],
  'a filter is "value", ["one", "of"] or { "not": "value" }',
);

export const QuerySchema = v.strictObject(
  {
    metric: MetricRefSchema("metric is required"),
    aggregation: v.picklist(AGGREGATIONS, `aggregation must be one of ${AGGREGATIONS.join(", ")}`),
    granularity: v.optional(v.picklist(GRANULARITIES, `granularity must be one of ${GRANULARITIES.join(", ")} (or absent for one value)`)),
    from: v.optional(v.string(`from must be ${RFC3339_HINT}`)),
    to: v.optional(v.string(`to must be ${RFC3339_HINT}`)),
    range: v.optional(v.string('range is like "24h", "7d", "12w", "6mo" or "1y"')),
    filters: v.optional(
      v.pipe(
        v.record(TagKey, Filter, "filters is an object of tag → value"),
        v.check((f) => Object.keys(f).length <= 20, "at most 20 filters"),
      ),
    ),
    groupBy: v.optional(
      v.pipe(
        v.array(TagKey, "groupBy is a list of tag keys"),
        v.maxLength(5, "group by at most 5 tag keys"),
        v.check((keys) => new Set(keys).size === keys.length, "groupBy names a key twice"),
      ),
    ),
    groupLimit: v.optional(v.pipe(v.number("groupLimit is a number"), v.integer("groupLimit is a whole number"), v.minValue(1, "groupLimit is at least 1"), v.maxValue(100, "groupLimit is at most 100"))),
    timezone: v.optional(v.string("timezone is an IANA name like Europe/Berlin")),
  },
  "the query is a JSON object",
);

const invalid = (field: string, message: string) => new AppError(400, "invalid_query", message, { field });

/** Checks the shape only (valibot); `resolveQuery` also settles times and zone. */
export function parseQuery(raw: unknown): QueryInput {
  // A JSON body can carry "__proto__" as an own key; refuse it before any object copy sees it.
  if (raw && typeof raw === "object" && "filters" in raw && raw.filters && typeof raw.filters === "object" && Object.hasOwn(raw.filters, "__proto__")) {
    throw invalid("filters", "tag keys are 1–64 letters, digits, or _ . - :");
  }
  const r = v.safeParse(QuerySchema, raw);
  if (r.success) return r.output as QueryInput;
  const issue = r.issues[0]!;
  const path = v.getDotPath(issue);
  // An unknown key: name the key itself.
  if (issue.kind === "schema" && issue.expected === "never" && path) return invalidUnknown(path);
  throw invalid(path ?? "query", issue.message);
}

function invalidUnknown(path: string): never {
  throw invalid(path, `unknown field "${path}"`);
}

const RANGE = /^([1-9]\d{0,3})(h|d|w|mo|y)$/;

export function resolveQuery(raw: unknown, opts: { timezone: string; now: number }): ResolvedQuery {
  const q = parseQuery(raw);
  const zone = q.timezone ?? opts.timezone;
  if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"; use an IANA name like Europe/Berlin`);
  const { from, to } = resolveTimes(q, zone, opts.now);
  const granularity = q.granularity ?? null;
  if (granularity) {
    const n = estimateBuckets(granularity, from, to);
    if (n > MAX_BUCKETS) {
      throw new AppError(400, "query_too_large", `A ${granularity} chart of this range has about ${n} buckets (at most ${MAX_BUCKETS}): pick a coarser granularity or a shorter range`, {
        field: "granularity",
      });
    }
  }
  const conditions: TagCondition[] = Object.entries(q.filters ?? {}).map(([key, f]) => {
    if (typeof f === "string") return { key, op: "in", values: [f] };
    if (Array.isArray(f)) return { key, op: "in", values: [...new Set(f)] };
    return { key, op: "not", values: [f.not] };
  });
  return {
    metric: q.metric,
    aggregation: q.aggregation,
    granularity,
    from,
    to,
    zone,
    conditions,
    groupBy: q.groupBy ?? [],
    groupLimit: q.groupLimit ?? DEFAULT_GROUP_LIMIT,
  };
}

function resolveTimes(q: QueryInput, zone: string, now: number): { from: number; to: number } {
  if (q.range !== undefined) {
    if (q.from !== undefined || q.to !== undefined) throw invalid("range", "give either range or from and to, not both");
    const m = RANGE.exec(q.range);
    if (!m) throw invalid("range", 'range is like "24h", "7d", "12w", "6mo" or "1y"');
    return resolveRange(zone, Number(m[1]), m[2] as "h", now);
  }
  if (q.from === undefined && q.to === undefined) throw invalid("range", 'give a range like "7d", or from and to');
  if (q.from === undefined) throw invalid("from", "from is required with to");
  if (q.to === undefined) throw invalid("to", "to is required with from");
  const from = parseRfc3339(q.from);
  if (from === undefined) throw invalid("from", `from must be ${RFC3339_HINT}`);
  const to = parseRfc3339(q.to);
  if (to === undefined) throw invalid("to", `to must be ${RFC3339_HINT}`);
  if (from > to) throw invalid("from", "from must not be after to");
  return { from, to };
}
