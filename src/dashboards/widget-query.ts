import type { QueryInput, QueryResult } from "../query/types";
import { isoSeconds } from "../lib/time/dates";
import { effectiveRange } from "./range";
import type { WidgetConfig, WidgetKind } from "./widget-config";

/**
 * A widget's configuration → the query engine's input. The dashboard-wide range, when set,
 * replaces the widget's own; the product's zone aligns buckets. Number widgets ask for one value
 * over the range (no granularity) and, to show the change, the same over the period before it.
 */
export function widgetQuery(kind: WidgetKind, config: WidgetConfig, opts: { dashboardRange: string | null; timezone: string }): QueryInput {
  const input: QueryInput = {
    metric: config.metric,
    aggregation: config.aggregation,
    ...effectiveRange(config.range, opts.dashboardRange),
    timezone: opts.timezone,
  };
  if (kind !== "number" && config.granularity) input.granularity = config.granularity;
  if (Object.keys(config.filters).length) input.filters = config.filters;
  // A single number is the total: splitting it by a tag would need a table.
  if (kind !== "number" && config.groupBy.length) input.groupBy = config.groupBy;
  return input;
}

/**
 * The period of equal length just before a resolved range: [from − (to − from), from). Uses the
 * engine's echoed bounds so "last 7 days" compares against exactly the 7 days before them.
 */
export function previousPeriodQuery(current: QueryInput, answered: Pick<QueryResult, "from" | "to">): QueryInput | null {
  const from = Date.parse(answered.from);
  const to = Date.parse(answered.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
  const { range: _range, ...rest } = current;
  return { ...rest, from: isoSeconds(from - (to - from)), to: isoSeconds(from) };
}

/**
 * The URL of the query engine's CSV export for what a widget shows (raw points of its metric,
 * range and filters; DESIGN.md: filters as `filter.k=v`, repeated for "one of", `filter_not.k=v`).
 */
export function exportCsvUrl(productId: string, input: QueryInput): string {
  const params = new URLSearchParams();
  params.set("product", productId);
  params.set("metric", input.metric);
  if (input.range) params.set("range", input.range);
  if (input.from) params.set("from", input.from);
  if (input.to) params.set("to", input.to);
  if (input.timezone) params.set("timezone", input.timezone);
  for (const [key, filter] of Object.entries(input.filters ?? {})) {
    if (typeof filter === "string") params.append(`filter.${key}`, filter);
    else if (Array.isArray(filter)) for (const value of filter) params.append(`filter.${key}`, value);
    else params.append(`filter_not.${key}`, filter.not);
  }
  return `/api/v1/export.csv?${params}`;
}
