import { AppError } from "../lib/errors";
import type { Granularity, QueryInput, QueryResult } from "../query/types";
import { kindDef, type WidgetData } from "./kinds";
import type { RunQuery, ViewState } from "./kinds/kind";
import { widgetQuery } from "./widget-query";
import type { Widget } from "./widgets";

export type { WidgetData } from "./kinds";
export type { RunQuery } from "./kinds/kind";

/**
 * What a widget card shows, computed from query-engine answers only (the one read path): the
 * widget's query, stepped to a coarser granularity when it has too many buckets, then handed to
 * its kind (kinds/) to shape. The engine is passed in as a function so this module needs no
 * database and tests can count calls.
 */
export async function loadWidgetData(run: RunQuery, widget: Widget, opts: { dashboardRange: string | null; timezone: string } & ViewState): Promise<WidgetData> {
  const config = widget.config;
  if (!config) throw new Error(widget.problem ?? "invalid widget");
  const kind = kindDef(widget.kind);
  const { input, result } = await runCoarsening(run, widgetQuery(widget.kind, config, opts));
  const data = (await kind.data({ run, input, result, config, state: { page: opts.page, sort: opts.sort } })) as WidgetData;
  return kind.series && input.granularity !== config.granularity ? { ...data, coarsened: input.granularity } : data;
}

const COARSER: Partial<Record<Granularity, Granularity>> = { minute: "hour", hour: "day", day: "week", week: "month" };

/**
 * A minute chart is fine for a day but has too many buckets for the dashboard's "12mo": rather
 * than an error card, step to the next coarser granularity the engine accepts (Grafana does the
 * same with its interval). Any other refusal is the widget's error.
 */
async function runCoarsening(run: RunQuery, first: QueryInput): Promise<{ input: QueryInput; result: QueryResult }> {
  let input = first;
  for (;;) {
    try {
      return { input, result: await run(input) };
    } catch (err) {
      const next = input.granularity ? COARSER[input.granularity] : undefined;
      if (!(err instanceof AppError) || err.code !== "query_too_large" || err.field !== "granularity" || !next) throw err;
      input = { ...input, granularity: next };
    }
  }
}
