import type { Granularity } from "../lib/time/calendar";

/**
 * The query engine's contract (DESIGN.md "Query engine"). Widgets, the query API, CSV export,
 * reports and alerts all speak this shape; src/query/ implements it.
 */
export type Aggregation = "sum" | "count" | "avg" | "min" | "max";
export type { Granularity };
export const AGGREGATIONS: Aggregation[] = ["sum", "count", "avg", "min", "max"];
export const GRANULARITIES: Granularity[] = ["minute", "hour", "day", "week", "month"];

/** `{ k: "v" }` equals, `{ k: ["a","b"] }` one of, `{ k: { not: "v" } }` not equal (matches points without the tag). */
export type TagFilter = string | string[] | { not: string };

export type QueryInput = {
  metric: string;
  aggregation: Aggregation;
  granularity?: Granularity; // absent: one value over the range
  from?: string; // RFC 3339; with `to`, or replaced by `range`
  to?: string;
  range?: string; // "24h", "7d", "12w", "6mo", "1y": to = now, from = to − N calendar units in the zone
  filters?: Record<string, TagFilter>;
  groupBy?: string[];
  groupLimit?: number; // default 10; the rest folds into { k: "__other__" }
  timezone?: string; // default: the product's
};

export type QueryPoint = { t: string; v: number | null }; // t: bucket start, `YYYY-MM-DDTHH:MM:SS±HH:MM` in the query's zone
export type QuerySeries = { tags: Record<string, string>; points: QueryPoint[]; value?: number | null };
export type QueryResult = {
  metric: string;
  aggregation: Aggregation;
  granularity: Granularity | null;
  from: string; // resolved, echoed
  to: string;
  timezone: string;
  series: QuerySeries[]; // always present; without groupBy exactly one with tags {}
  value?: number | null; // without granularity and without groupBy
  /** Present only when the answer is not the whole truth, e.g. raw points deleted by retention. */
  warnings?: QueryWarning[];
};
/** `raw_data_expired`: the query needed raw points from before `rawDataFrom`, which retention deleted. */
export type QueryWarning = { code: "raw_data_expired"; message: string; rawDataFrom: string };
