import type { Deps } from "../deps";
import type { Dashboard } from "../dashboards/dashboards";
import { listWidgets, type Widget } from "../dashboards/widgets";
import { kindDef } from "../dashboards/kinds";
import { describeWidget } from "../dashboards/describe-widget";
import { loadWidgetCard } from "../dashboards/load-widget-card";
import { runEngineQuery } from "../query/engine";
import { wallAt } from "../lib/time/calendar";
import type { QueryInput } from "../query/types";
import type { SnapshotWidget } from "../../views/snapshots/widget";
import { renderWidgetSnapshot, type Snapshot } from "./snapshot";
import { dashboardUrl } from "../products/urls";

/**
 * What one run of a report says, built once and sent to every recipient: each widget of the
 * dashboard in its order, with its PNG, alt text and plain-text numbers. The data comes from
 * loadWidgetCard → the query engine, exactly as the HTML widget cards get it (one read path).
 * `half`: drawn half the mail's width (two side by side); `headline`: one figure, fit for the
 * mail's preview line.
 */
export type ReportWidget = { id: string; half: boolean; headline: boolean; title: string; cid: string; snapshot: Snapshot; alt: string; text: string[] };
export type ReportContent = {
  productName: string;
  dashboardName: string;
  dashboardUrl: string;
  timezone: string;
  rangeLabel: string; // "Last 7 days", or "Each widget's own range"
  asOf: string; // "9 Mar 2026, 09:00"
  widgets: ReportWidget[];
  renderMs: number;
};

export async function buildReportContent(
  deps: Pick<Deps, "db" | "reader" | "config">,
  product: { id: string; name: string; timezone: string },
  dashboard: Dashboard,
  now: number,
): Promise<ReportContent> {
  const widgets = listWidgets(deps.db, product.id, dashboard.id);
  const run = (q: QueryInput) => runEngineQuery(deps.reader, product, q, now);
  const out: ReportWidget[] = [];
  const labels = new Set<string>();
  let renderMs = 0;
  for (const [i, widget] of widgets.entries()) {
    const view = await snapshotWidget(widget, run, { dashboardRange: dashboard.range, timezone: product.timezone });
    if (view.rangeLabel) labels.add(view.rangeLabel);
    const snapshot = await renderWidgetSnapshot(view);
    renderMs += snapshot.ms;
    const kind = kindDef(widget.kind);
    out.push({ id: widget.id, half: kind.snapshot.half, headline: kind.headline, title: widget.title, cid: `widget-${i + 1}-${widget.id}@litekpi`, snapshot, alt: altText(view), text: textLines(view) });
  }
  return {
    productName: product.name,
    dashboardName: dashboard.name,
    dashboardUrl: deps.config.baseUrl + dashboardUrl(product.id, dashboard.id),
    timezone: product.timezone,
    rangeLabel: labels.size === 1 ? [...labels][0]! : labels.size ? "Each widget's own range" : "",
    asOf: formatAsOf(now, product.timezone),
    widgets: out,
    renderMs,
  };
}

type Run = (q: QueryInput) => ReturnType<typeof runEngineQuery>;

/** The snapshot's props, from the same card the web shows (loadWidgetCard); a refused query becomes the error card. */
export async function snapshotWidget(widget: Widget, run: Run, opts: { dashboardRange: string | null; timezone: string }): Promise<SnapshotWidget> {
  const base = { kind: widget.kind, title: widget.title };
  const config = widget.config;
  const card = await loadWidgetCard(run, widget, opts);
  if (!config) return { ...base, rangeLabel: "", footer: "Needs editing on the dashboard", body: card.body as { error: string } };
  const footer = describeWidget(widget, { not: "is not" }); // "≠" is in no Inter subset: the PNG would show a box
  if ("error" in card.body) return { ...base, rangeLabel: card.rangeLabel, footer, body: card.body };
  const filtered = Object.keys(config.filters).length > 0;
  return { ...base, rangeLabel: card.rangeLabel, footer, body: { ...card.body, metric: config.metric, filtered, compare: config.compare } };
}

/** The kind's words for what is drawn, or the shared ones for an error or an empty card. */
function drawn(w: SnapshotWidget) {
  const kind = kindDef(w.kind);
  if ("error" in w.body) return { error: w.body.error } as const;
  const { data } = w.body;
  if (data.empty && !kind.drawsEmpty) return { empty: true } as const;
  return { kind, data, ctx: { title: w.title, rangeLabel: w.rangeLabel, periodLabel: w.body.periodLabel, compare: w.body.compare } };
}

/** Alt text says what the picture says, numbers included, for screen readers and blocked images. */
function altText(w: SnapshotWidget): string {
  const d = drawn(w);
  if ("error" in d) return `${w.title}: this widget can't be shown (${d.error})`;
  if ("empty" in d) return `${w.title}: no data${w.rangeLabel ? `, ${w.rangeLabel.toLowerCase()}` : ""}`;
  return d.kind.alt(d.data, d.ctx);
}

/** The plain-text twin of a card: its numbers, in the same formatting as the picture. */
function textLines(w: SnapshotWidget): string[] {
  const head = `${w.title}${w.rangeLabel ? ` (${w.rangeLabel})` : ""}`;
  const d = drawn(w);
  if ("error" in d) return [head, `  This widget can't be shown: ${d.error}`];
  if ("empty" in d) return [head, "  No data in this range."];
  return [head, ...d.kind.text(d.data, d.ctx)];
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function formatAsOf(ms: number, zone: string): string {
  const w = wallAt(zone, ms);
  return `${w.d} ${MONTHS[w.mo - 1]} ${w.y}, ${String(w.h).padStart(2, "0")}:${String(w.mi).padStart(2, "0")}`;
}
