/**
 * The Stats API v2 subset (DESIGN.md "Web analytics"), as parsed by src/web/query/parse.ts.
 */
export const METRICS = [
  "visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events",
  "conversion_rate", "scroll_depth", "time_on_page", "total_revenue", "average_revenue", "revenue", "purchases", "rpv",
] as const;
export type Metric = (typeof METRICS)[number];

export const VISIT_DIMENSIONS = [
  "visit:source", "visit:referrer", "visit:utm_source", "visit:utm_medium", "visit:utm_campaign", "visit:utm_content", "visit:utm_term",
  "visit:country", "visit:country_name", "visit:region", "visit:device", "visit:browser", "visit:os", "visit:entry_page", "visit:exit_page",
] as const;
export const EVENT_DIMENSIONS = ["event:page", "event:hostname", "event:goal"] as const;
export const TIME_DIMENSIONS = ["time", "time:hour", "time:day", "time:week", "time:month"] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];
/** A dimension name: one of the lists above, or `event:props:<name>`. */
export type Dimension = string;

export const FILTER_OPS = ["is", "is_not", "contains", "contains_not", "matches", "matches_not"] as const;
export type FilterOp = (typeof FILTER_OPS)[number];
export type Filter =
  | {
      op: FilterOp;
      dim: Dimension;
      values: string[];
      caseSensitive: boolean;
      /** event:goal only: per value, the test of the defined goal it names (src/web/query/goal-filters.ts), null for a plain event name. */
      goalTests?: (((h: import("./filters").Hit) => boolean) | null)[];
    }
  | { op: "and" | "or"; filters: Filter[] }
  | { op: "not"; filter: Filter };

export type DateRangeInput = string | [string, string];

export type WebQuery = {
  siteId: string | null;
  metrics: Metric[];
  dateRange: DateRangeInput;
  dimensions: Dimension[];
  filters: Filter[];
  /** The filters as they were sent (echoed in `query`). */
  rawFilters: unknown[];
  orderBy: [string, "asc" | "desc"][] | null;
  include: { totalRows: boolean; timeLabels: boolean; imports: boolean };
  pagination: { limit: number; offset: number };
};

export type WebAnswer = {
  results: { dimensions: string[]; metrics: (number | null | RevenueValue)[] }[];
  meta: Record<string, unknown>;
  query: Record<string, unknown>;
};
/** Plausible's shape of a money metric (total_revenue, average_revenue). */
export type RevenueValue = { short: string; long: string; value: number; currency: string };

export const isTimeDim = (d: string): d is TimeDimension => d === "time" || d.startsWith("time:");
export const isVisitDim = (d: string) => d.startsWith("visit:");
export const isEventDim = (d: string) => d.startsWith("event:");
