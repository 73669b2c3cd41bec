/** @jsxImportSource hono/jsx */
import type { Granularity, QueryResult } from "../../query/types";
import { formatInZone } from "../../lib/time/calendar";
import { formatBucket, formatNumber } from "../../../views/widgets/format";
import { LineWidget } from "../../../views/widgets/line";
import { lineBody } from "../../../views/snapshots/line";
import { LINE_HEIGHT } from "../../../views/snapshots/sizes";
import { defineKind } from "./kind";
import { isAllEmpty, seriesLabel } from "./series";

/** Line chart: the metric over time, one line per group (uPlot on the web, SVG in the PNG). */
export type ChartData = {
  x: number[]; // bucket starts, Unix seconds
  series: { label: string; values: (number | null)[] }[];
  timezone: string;
  granularity: Granularity | null;
};

// The plain-text twin lists the last this many buckets of each line.
const TEXT_BUCKETS = 7;

export const lineKind = defineKind({
  kind: "line",
  label: "Line chart",
  hint: "A metric over time",
  series: true,
  drawsEmpty: false,
  headline: false,
  span: (config) => (config?.size === "full" ? "span-12" : "span-6"),
  data: ({ result }) => ({ kind: "line" as const, chart: chartData(result), empty: isAllEmpty(result) }),
  card: (data, ctx) => <LineWidget chart={data.chart} metric={ctx.config.metric} />,
  snapshot: { half: false, height: () => LINE_HEIGHT, body: (data, ctx) => lineBody(data.chart, ctx.width, ctx.height) },
  alt(data, ctx) {
    const latest = data.chart.series.map((s) => `${s.label} ${formatNumber(s.values.findLast((v) => v !== null) ?? null)}`).slice(0, 4);
    return `${ctx.title}: line chart${ctx.rangeLabel ? `, ${ctx.rangeLabel.toLowerCase()}` : ""}; latest ${latest.join(", ")}`;
  },
  text(data) {
    const { chart } = data;
    const lines: string[] = [];
    const from = Math.max(0, chart.x.length - TEXT_BUCKETS);
    for (const s of chart.series) {
      if (chart.series.length > 1) lines.push(`  ${s.label}`);
      for (let i = from; i < chart.x.length; i++) {
        lines.push(`  ${chart.series.length > 1 ? "  " : ""}${formatBucket(formatInZone(chart.timezone, chart.x[i]! * 1000), chart.granularity)}: ${formatNumber(s.values[i] ?? null)}`);
      }
    }
    return lines;
  },
});

/** One x axis for every series (the engine fills empty buckets, but a union keeps us safe). */
export function chartData(result: QueryResult): ChartData {
  const xs = new Set<number>();
  for (const s of result.series) for (const p of s.points) xs.add(Math.floor(Date.parse(p.t) / 1000));
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((t, i) => [t, i]));
  const series = result.series.map((s) => {
    const values: (number | null)[] = Array(x.length).fill(null);
    for (const p of s.points) values[index.get(Math.floor(Date.parse(p.t) / 1000))!] = p.v;
    return { label: seriesLabel(s, result.metric), values };
  });
  return { x, series, timezone: result.timezone, granularity: result.granularity };
}
