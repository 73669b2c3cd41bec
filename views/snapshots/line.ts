import type { ChartData } from "../../src/dashboards/kinds/line";
import { wallAt } from "../../src/lib/time/calendar";
import { axisLabel, niceTicks, tickIndices } from "./scale";
import { box, ellipsize, seriesColor, shape, svg, text, textWidth, TOKENS, type Node } from "./tree";

/**
 * The line chart of a widget as our own SVG: light gridlines at nice ticks, y labels on the left,
 * time labels in the product's zone below, one thin line per series in the palette's order (the
 * web chart's order), a soft area under a single series, gaps where a bucket is empty (null).
 * Labels are satori text (so they become paths); the plot is one <svg>.
 */
const AXIS_FONT = 11;
const X_AXIS_H = 18;
const LEGEND_H = 22;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function lineBody(chart: ChartData, width: number, height: number): Node {
  const legend = chart.series.length > 1;
  const chartH = height - (legend ? LEGEND_H : 0);
  const values = chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const ticks = niceTicks(Math.min(...values, 0), Math.max(...values, 0));
  const yLabels = ticks.values.map(axisLabel);
  const left = Math.max(...yLabels.map((l) => textWidth(l, AXIS_FONT))) + 8;
  const plot = { x0: left, x1: width - 6, y0: 6, y1: chartH - X_AXIS_H - 4 };
  const n = chart.x.length;
  const xAt = (i: number) => (n === 1 ? (plot.x0 + plot.x1) / 2 : plot.x0 + (i * (plot.x1 - plot.x0)) / (n - 1));
  const yAt = (v: number) => plot.y1 - ((v - ticks.lo) / (ticks.hi - ticks.lo)) * (plot.y1 - plot.y0);

  const grid = ticks.values.map((v) =>
    shape("line", { x1: plot.x0, x2: plot.x1, y1: r(yAt(v)), y2: r(yAt(v)), stroke: v === 0 ? TOKENS.axis : TOKENS.grid, strokeWidth: 1 }),
  );
  const single = chart.series.length === 1;
  const lines = chart.series.flatMap((s, si) => seriesShapes(s.values, xAt, yAt, seriesColor(si), single ? plot.y1 : null, n));
  const defs = single
    ? shape(
        "defs",
        {},
        shape(
          "linearGradient",
          { id: "area", x1: 0, y1: 0, x2: 0, y2: 1 },
          shape("stop", { offset: "0%", stopColor: seriesColor(0), stopOpacity: 0.16 }),
          shape("stop", { offset: "100%", stopColor: seriesColor(0), stopOpacity: 0 }),
        ),
      )
    : null;

  const yText = ticks.values.map((v, i) =>
    text({ position: "absolute", left: 0, width: left - 8, top: r(yAt(v)) - 7, height: 14, justifyContent: "flex-end", fontSize: AXIS_FONT, color: TOKENS.muted }, yLabels[i]!),
  );
  const xIdx = tickIndices(n, Math.max(2, Math.min(6, Math.floor((plot.x1 - plot.x0) / 90))));
  const xText = xIdx.map((i, k) => {
    const label = xLabel(chart, i);
    const w = textWidth(label, AXIS_FONT) + 8;
    // First and last labels align to the plot's edges so they never run off the card.
    const align = xIdx.length > 1 && k === 0 ? "start" : xIdx.length > 1 && k === xIdx.length - 1 ? "end" : "center";
    const leftPx = align === "start" ? plot.x0 : align === "end" ? plot.x1 - w : xAt(i) - w / 2;
    return text(
      { position: "absolute", left: r(leftPx), width: w, top: plot.y1 + 6, height: 14, fontSize: AXIS_FONT, color: TOKENS.muted, justifyContent: align === "start" ? "flex-start" : align === "end" ? "flex-end" : "center" },
      label,
    );
  });

  return box(
    { width, height, flexDirection: "column" },
    box({ width, height: chartH, position: "relative" }, svg(width, chartH, defs, grid, lines), yText, xText),
    legend ? legendRow(chart.series.map((s) => s.label), width) : null,
  );
}

function seriesShapes(values: (number | null)[], xAt: (i: number) => number, yAt: (v: number) => number, color: string, areaBase: number | null, n: number): Node[] {
  // Runs of consecutive non-null buckets: an empty bucket is a gap, not a drop to zero.
  const runs: { i: number; v: number }[][] = [];
  let current: { i: number; v: number }[] = [];
  values.forEach((v, i) => {
    if (v === null) {
      if (current.length) runs.push(current);
      current = [];
    } else current.push({ i, v });
  });
  if (current.length) runs.push(current);
  const out: Node[] = [];
  for (const run of runs) {
    const d = run.map((p, k) => `${k ? "L" : "M"}${r(xAt(p.i))} ${r(yAt(p.v))}`).join(" ");
    if (areaBase !== null && run.length > 1) {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      out.push(shape("path", { d: `${d} L${r(xAt(last.i))} ${r(areaBase)} L${r(xAt(first.i))} ${r(areaBase)} Z`, fill: "url(#area)", stroke: "none" }));
    }
    if (run.length > 1) out.push(shape("path", { d, fill: "none", stroke: color, strokeWidth: 2, strokeLinejoin: "round", strokeLinecap: "round" }));
  }
  // Dots when buckets are few (a lone bucket would be invisible otherwise), and on the latest value.
  const dots = n <= 16 ? values.map((v, i) => ({ v, i })).filter((p) => p.v !== null) : [];
  const lastIdx = values.findLastIndex((v) => v !== null);
  if (lastIdx >= 0 && !dots.some((p) => p.i === lastIdx)) dots.push({ v: values[lastIdx]!, i: lastIdx });
  for (const p of dots) out.push(shape("circle", { cx: r(xAt(p.i)), cy: r(yAt(p.v!)), r: p.i === lastIdx ? 3.5 : 2.5, fill: color, stroke: TOKENS.bg, strokeWidth: 1.5 }));
  return out;
}

/** Swatch + label per series, as many as fit on one line, then "+N more". */
function legendRow(labels: string[], width: number): Node {
  const items: Node[] = [];
  let used = 0;
  for (const [i, label] of labels.entries()) {
    const shown = ellipsize(label, 140, 11);
    const w = 16 + textWidth(shown, 11) + 14;
    if (used + w > width - 70 && i < labels.length - 1) {
      items.push(text({ fontSize: 11, color: TOKENS.muted }, `+${labels.length - i} more`));
      break;
    }
    used += w;
    items.push(
      box(
        { alignItems: "center", gap: 6, fontSize: 11, color: TOKENS.text },
        box({ width: 10, height: 3, borderRadius: 2, backgroundColor: seriesColor(i) }),
        text({ whiteSpace: "nowrap" }, shown),
      ),
    );
  }
  return box({ height: LEGEND_H, alignItems: "flex-end", gap: 14 }, items);
}

/** A time label in the product's zone at the chart's granularity: "14:00", "8 Mar", "Mar 2026". */
function xLabel(chart: ChartData, i: number): string {
  const w = wallAt(chart.timezone, chart.x[i]! * 1000);
  const pad = (v: number) => String(v).padStart(2, "0");
  const spanDays = chart.x.length > 1 ? (chart.x[chart.x.length - 1]! - chart.x[0]!) / 86_400 : 0;
  switch (chart.granularity) {
    case "minute":
    case "hour":
      return spanDays > 1.5 ? `${w.d} ${MONTHS[w.mo - 1]} ${pad(w.h)}:${pad(w.mi)}` : `${pad(w.h)}:${pad(w.mi)}`;
    case "month":
      return `${MONTHS[w.mo - 1]} ${w.y}`;
    default:
      return spanDays > 300 ? `${w.d} ${MONTHS[w.mo - 1]} ${w.y}` : `${w.d} ${MONTHS[w.mo - 1]}`;
  }
}

const r = (v: number) => Math.round(v * 10) / 10;
