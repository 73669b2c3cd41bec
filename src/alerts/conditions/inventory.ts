import * as v from "valibot";
import { MetricRefSchema, TagKeySchema, TagValueSchema } from "../../lib/names";
import type { SourceQuery } from "../minute-data";
import type { Judge } from "./kind";

/**
 * What the inventory kinds (seed 003 FR-3) share. The rule's query is the stock level (a gauge:
 * avg, min or max of what was reported); its level at a boundary is the last reported minute
 * inside the window, so the window says how old a report may be. Sales velocity is the sales
 * metric's sum over the 7 days before the boundary, per day.
 */
export const VELOCITY_DAYS = 7;
const DAY = 86_400_000;

const Filter = v.union([TagValueSchema, v.pipe(v.array(TagValueSchema), v.minLength(1), v.maxLength(100))], 'a filter is "value" or ["one", "of"]');
export const SalesSchema = v.strictObject(
  {
    metric: MetricRefSchema("sales.metric is required"),
    filters: v.optional(v.record(TagKeySchema, Filter, "sales.filters is an object of tag → value")),
  },
  "sales is { metric, filters? }: the metric that counts units sold",
);
export type Sales = v.InferOutput<typeof SalesSchema>;

export const salesQuery = (sales: Sales, main: SourceQuery): SourceQuery => ({
  metric: sales.metric,
  aggregation: "sum",
  ...(sales.filters ? { filters: sales.filters } : {}),
  ...(main.timezone ? { timezone: main.timezone } : {}),
});

export function levelProblems(query: SourceQuery): [string, string][] {
  return query.aggregation === "sum" || query.aggregation === "count"
    ? [["query.aggregation", "a stock level is a gauge: use avg, min or max (the level reported), not a total"]]
    : [];
}

export const levelNeeds = (at: number, windowMs: number) => ({ source: "main" as const, range: { from: at - windowMs, to: at } });
export const velocityNeeds = (at: number) => ({ source: "sales" as const, range: { from: at - VELOCITY_DAYS * DAY, to: at } });

export const levelAt = (j: Judge) => j.latest("main", j.at - j.windowMs, j.at);
/** Units sold per day over the last 7 days. */
export const velocityAt = (j: Judge) => (j.value("sales", j.at - VELOCITY_DAYS * DAY, j.at) ?? 0) / VELOCITY_DAYS;
