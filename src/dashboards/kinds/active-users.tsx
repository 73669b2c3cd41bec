/** @jsxImportSource hono/jsx */
import { LineWidget } from "../../../views/widgets/line";
import { lineBody } from "../../../views/snapshots/line";
import { LINE_HEIGHT } from "../../../views/snapshots/sizes";
import { formatNumber } from "../../../views/widgets/format";
import { defineKind } from "./kind";
import { chartData, lineKind } from "./line";
import { isAllEmpty } from "./series";

/**
 * Active users: DAU, WAU and MAU per day as three lines (the `insight:active_users` answer of the
 * engine's front door), over the widget's range. A tag filter `event` narrows it to some events.
 */
export const activeUsersKind = defineKind({
  kind: "active_users",
  label: "Active users",
  hint: "DAU, WAU and MAU per day",
  metric: "insight:active_users",
  series: false,
  drawsEmpty: false,
  headline: false,
  span: (config) => (config?.size === "full" ? "span-12" : "span-6"),
  data: ({ result }) => ({ kind: "active_users" as const, chart: chartData(result), empty: isAllEmpty(result) }),
  card: (data) => <LineWidget chart={data.chart} metric="active users" />,
  snapshot: { half: false, height: () => LINE_HEIGHT, body: (data, ctx) => lineBody(data.chart, ctx.width, ctx.height) },
  alt: (data, ctx) => `${ctx.title}: active users; latest ${data.chart.series.map((s) => `${s.label} ${formatNumber(s.values.at(-1) ?? null)}`).join(", ")}`,
  text: (data, ctx) => lineKind.text({ kind: "line", chart: data.chart, empty: data.empty }, ctx),
});
