import type { QueryInput } from "../query/types";
import { effectiveRange } from "./range";
import type { WidgetConfig } from "./widget-config";
import { kindDef, type WidgetKind } from "./kinds";

/**
 * A widget's configuration → the query engine's input. The dashboard-wide range, when set,
 * replaces the widget's own; the product's zone aligns buckets. Kinds without series (number) ask
 * for one value over the range, no granularity and no split.
 */
export function widgetQuery(kind: WidgetKind, config: WidgetConfig, opts: { dashboardRange: string | null; timezone: string }): QueryInput {
  const input: QueryInput = {
    metric: config.metric,
    aggregation: config.aggregation,
    ...effectiveRange(config.range, opts.dashboardRange),
    timezone: opts.timezone,
  };
  // Only series kinds have buckets and splits: a single number is the total over the range.
  const series = kindDef(kind).series;
  if (series && config.granularity) input.granularity = config.granularity;
  if (Object.keys(config.filters).length) input.filters = config.filters;
  if (series && config.groupBy.length) input.groupBy = config.groupBy;
  return input;
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
