import type { Deps } from "../deps";
import type { Dashboard } from "../dashboards/dashboards";
import { listWidgets, type Widget } from "../dashboards/widgets";
import { loadWidgetData, type WidgetData } from "../dashboards/widget-data";
import { describeRange, effectiveRange, previousLabel } from "../dashboards/range";
import { runQuery } from "../query/run";
import { formatInZone, wallAt } from "../lib/time/calendar";
import type { QueryInput, TagFilter } from "../query/types";
import { AppError } from "../lib/errors";
import { formatBucket, formatNumber, formatPercent } from "../../views/widgets/format";
import type { SnapshotWidget } from "../../views/snapshots/widget";
import { renderWidgetSnapshot, type Snapshot } from "./snapshot";

/**
 * What one run of a report says, built once and sent to every recipient: each widget of the
 * dashboard in its order, with its PNG, alt text and plain-text numbers. The data comes from
 * loadWidgetData → the query engine, exactly as the HTML widget cards get it (one read path).
 */
export type ReportWidget = { id: string; kind: Widget["kind"]; title: string; cid: string; snapshot: Snapshot; alt: string; text: string[] };
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
  deps: Pick<Deps, "db" | "config">,
  product: { id: string; name: string; timezone: string },
  dashboard: Dashboard,
  now: number,
): Promise<ReportContent> {
  const widgets = listWidgets(deps.db, product.id, dashboard.id);
  const run = (q: QueryInput) => runQuery(deps.db, product, q, now);
  const out: ReportWidget[] = [];
  const labels = new Set<string>();
  let renderMs = 0;
  for (const [i, widget] of widgets.entries()) {
    const view = await snapshotWidget(widget, run, { dashboardRange: dashboard.range, timezone: product.timezone });
    if (view.rangeLabel) labels.add(view.rangeLabel);
    const snapshot = await renderWidgetSnapshot(view);
    renderMs += snapshot.ms;
    out.push({ id: widget.id, kind: widget.kind, title: widget.title, cid: `widget-${i + 1}-${widget.id}@litekpi`, snapshot, alt: altText(view), text: textLines(view) });
  }
  return {
    productName: product.name,
    dashboardName: dashboard.name,
    dashboardUrl: `${deps.config.baseUrl}/products/${product.id}/dashboards/${dashboard.id}`,
    timezone: product.timezone,
    rangeLabel: labels.size === 1 ? [...labels][0]! : labels.size ? "Each widget's own range" : "",
    asOf: formatAsOf(now, product.timezone),
    widgets: out,
    renderMs,
  };
}

type Run = (q: QueryInput) => ReturnType<typeof runQuery>;

/** The snapshot's props, from the same data the web card shows; a refused query becomes the error card. */
export async function snapshotWidget(widget: Widget, run: Run, opts: { dashboardRange: string | null; timezone: string }): Promise<SnapshotWidget> {
  const config = widget.config;
  if (!config) return { kind: widget.kind, title: widget.title, rangeLabel: "", footer: "Needs editing on the dashboard", body: { error: widget.problem ?? "Invalid configuration" } };
  const rangeLabel = describeRange(effectiveRange(config.range, opts.dashboardRange), opts.timezone);
  const footer = describeWidget(widget);
  try {
    const data = await loadWidgetData(run, widget, opts);
    const filtered = Object.keys(config.filters).length > 0;
    return { kind: widget.kind, title: widget.title, rangeLabel, footer, body: { data, periodLabel: previousLabel(rangeLabel), metric: config.metric, filtered, compare: config.compare } };
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return { kind: widget.kind, title: widget.title, rangeLabel, footer, body: { error: err.message } };
  }
}

/** "previous 7 days" for "Last 7 days": the words the web card uses beside a change. */

/** "signups · sum · by day · country = US · split by plan" (the range is in the card's header). */
function describeWidget(widget: Widget): string {
  const c = widget.config!;
  const parts: string[] = [c.metric, c.aggregation];
  if (widget.kind !== "number" && c.granularity) parts.push(`by ${c.granularity}`);
  for (const [key, filter] of Object.entries(c.filters)) parts.push(describeFilter(key, filter));
  if (widget.kind !== "number" && c.groupBy.length) parts.push(`split by ${c.groupBy.join(", ")}`);
  return parts.join(" · ");
}

function describeFilter(key: string, filter: TagFilter): string {
  if (typeof filter === "string") return `${key} = ${filter}`;
  if (Array.isArray(filter)) return `${key} = ${filter.join(" or ")}`;
  return `${key} is not ${filter.not}`; // "≠" is in no Inter subset: the PNG would show a box
}

function changeWords(n: Extract<WidgetData, { kind: "number" }>["number"], periodLabel: string): string {
  if (n.change === null) return n.previous === 0 && n.value ? `up from 0 vs ${periodLabel}` : `no earlier data to compare`;
  if (n.change === 0) return `no change vs ${periodLabel}`;
  return `${n.change > 0 ? "up" : "down"} ${formatPercent(n.change)} vs ${periodLabel} (${formatNumber(n.previous)})`;
}

/** Alt text says what the picture says, numbers included, for screen readers and blocked images. */
function altText(w: SnapshotWidget): string {
  if ("error" in w.body) return `${w.title}: this widget can't be shown (${w.body.error})`;
  const { data } = w.body;
  const range = w.rangeLabel ? `, ${w.rangeLabel.toLowerCase()}` : "";
  if (data.kind === "number") return `${w.title}: ${formatNumber(data.number.value)}${w.body.compare ? `, ${changeWords(data.number, w.body.periodLabel)}` : ""}`;
  if (data.empty) return `${w.title}: no data${range}`;
  if (data.kind === "table") return `${w.title}: table of ${data.table.total} row${data.table.total === 1 ? "" : "s"}${range}`;
  const latest = data.chart.series.map((s) => `${s.label} ${formatNumber(s.values.findLast((v) => v !== null) ?? null)}`).slice(0, 4);
  return `${w.title}: line chart${range}; latest ${latest.join(", ")}`;
}

const TEXT_BUCKETS = 7;

/** The plain-text twin of a card: its numbers, in the same formatting as the picture. */
function textLines(w: SnapshotWidget): string[] {
  const head = `${w.title}${w.rangeLabel ? ` (${w.rangeLabel})` : ""}`;
  if ("error" in w.body) return [head, `  This widget can't be shown: ${w.body.error}`];
  const { data } = w.body;
  if (data.kind === "number") return [head, `  ${formatNumber(data.number.value)}${w.body.compare ? ` — ${changeWords(data.number, w.body.periodLabel)}` : ""}`];
  if (data.empty) return [head, "  No data in this range."];
  if (data.kind === "table") {
    const rows = data.table.rows.map((r) => `  ${[r.time ? formatBucket(r.time, data.granularity) : null, r.group].filter(Boolean).join(" · ")}: ${formatNumber(r.value)}`);
    return [head, ...rows, ...(data.table.total > data.table.rows.length ? [`  (${data.table.rows.length} of ${data.table.total} rows)`] : [])];
  }
  const { chart } = data;
  const lines = [head];
  const from = Math.max(0, chart.x.length - TEXT_BUCKETS);
  for (const s of chart.series) {
    if (chart.series.length > 1) lines.push(`  ${s.label}`);
    for (let i = from; i < chart.x.length; i++) {
      lines.push(`  ${chart.series.length > 1 ? "  " : ""}${formatBucket(formatInZone(chart.timezone, chart.x[i]! * 1000), chart.granularity)}: ${formatNumber(s.values[i] ?? null)}`);
    }
  }
  return lines;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function formatAsOf(ms: number, zone: string): string {
  const w = wallAt(zone, ms);
  return `${w.d} ${MONTHS[w.mo - 1]} ${w.y}, ${String(w.h).padStart(2, "0")}:${String(w.mi).padStart(2, "0")}`;
}
