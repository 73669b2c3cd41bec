import { AppError } from "../lib/errors";
import type { QueryInput } from "../query/types";
import { describeRange, effectiveRange, previousLabel } from "./range";
import { loadWidgetData, type RunQuery, type WidgetData } from "./widget-data";
import type { ViewState } from "./kinds/kind";
import { widgetQuery } from "./widget-query";
import type { Widget } from "./widgets";

/**
 * THE way a widget becomes a card, for the widget's own route and for reports alike: its query
 * (for the CSV link), its range in words, and its data — or the error card's message when its
 * config is broken or the engine refuses the query (a 4xx; anything worse is thrown).
 */
export type CardBody = { data: WidgetData; periodLabel: string } | { error: string };
export type LoadedWidgetCard = { query: QueryInput | null; rangeLabel: string; body: CardBody };

export async function loadWidgetCard(run: RunQuery, widget: Widget, opts: { dashboardRange: string | null; timezone: string } & ViewState): Promise<LoadedWidgetCard> {
  const config = widget.config;
  if (!config) return { query: null, rangeLabel: "", body: { error: widget.problem ?? "This widget's configuration is invalid; edit it to fix it." } };
  const query = widgetQuery(widget.kind, config, opts);
  const rangeLabel = describeRange(effectiveRange(config.range, opts.dashboardRange), opts.timezone);
  try {
    const data = await loadWidgetData(run, widget, opts);
    return { query, rangeLabel, body: { data, periodLabel: previousLabel(rangeLabel) } };
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return { query, rangeLabel, body: { error: err.message } };
  }
}
