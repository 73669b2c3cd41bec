import * as v from "valibot";
import { MetricRefSchema, TagKeySchema, TagValueSchema } from "../lib/names";
import { AGGREGATIONS, GRANULARITIES } from "../query/types";

/**
 * A widget's stored configuration, validated on every write and on every read (a stale or
 * invalid widget renders an error card, never breaks the page). Shared by the dashboard pages
 * and the report snapshots. Which kinds there are, and which fields each reads: kinds/.
 */
const TagKey = TagKeySchema;
const TagValue = TagValueSchema;

export const RangeSchema = v.union([
  v.object({ kind: v.literal("last"), n: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000)), unit: v.picklist(["h", "d", "w", "mo"]) }),
  v.object({ kind: v.literal("custom"), from: v.pipe(v.string(), v.isoTimestamp()), to: v.pipe(v.string(), v.isoTimestamp()) }),
]);
export type WidgetRange = v.InferOutput<typeof RangeSchema>;

export const WidgetConfigSchema = v.object({
  metric: MetricRefSchema("Pick a metric"),
  aggregation: v.picklist(AGGREGATIONS, "Pick an aggregation"),
  granularity: v.optional(v.picklist(GRANULARITIES, "Pick a granularity")), // line/table; number ignores it
  range: RangeSchema,
  filters: v.optional(v.record(TagKey, v.union([TagValue, v.array(TagValue), v.object({ not: TagValue })])), {}),
  groupBy: v.optional(v.array(TagKey), []),
  /** number widgets: compare against the previous period of equal length */
  compare: v.optional(v.boolean(), true),
  /** grid width: line charts may span the whole row ("full", 12 columns) or half of it (6) */
  size: v.optional(v.picklist(["half", "full"]), "half"),
});
export type WidgetConfig = v.InferOutput<typeof WidgetConfigSchema>;

/** `{kind:"last", n:7, unit:"d"}` → "7d", the query engine's range shorthand. */
export const rangeShorthand = (r: Extract<WidgetRange, { kind: "last" }>) => `${r.n}${r.unit}`;
