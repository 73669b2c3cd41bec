import { chartData } from "../../src/dashboards/kinds/line";
import { tableData } from "../../src/dashboards/kinds/table";
import type { QueryResult } from "../../src/query/types";
import type { SnapshotWidget } from "../../views/snapshots/widget";

/** Widgets as the report builds them, from query-engine-shaped answers (no database needed). */
const DAY = 86_400_000;
const t0 = Date.UTC(2026, 2, 1);
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19) + "+00:00";

function series(n: number, f: (i: number) => number | null) {
  return Array.from({ length: n }, (_, i) => ({ t: stamp(t0 + i * DAY), v: f(i) }));
}

export function result(partial: Partial<QueryResult> & Pick<QueryResult, "series">): QueryResult {
  return { metric: "signups", aggregation: "sum", granularity: "day", from: stamp(t0), to: stamp(t0 + 30 * DAY), timezone: "UTC", ...partial };
}

const wave = (i: number) => Math.round(120 + 40 * Math.sin(i / 3) + i * 4);

export const FIXTURES: Record<string, SnapshotWidget> = {
  line: {
    kind: "line",
    title: "Signups per day",
    rangeLabel: "Last 30 days",
    footer: "signups · sum · by day",
    body: { data: { kind: "line", chart: chartData(result({ series: [{ tags: {}, points: series(30, wave) }] })), empty: false }, periodLabel: "previous 30 days", metric: "signups", filtered: false, compare: true },
  },
  grouped: {
    kind: "line",
    title: "Revenue by plan",
    rangeLabel: "Last 30 days",
    footer: "revenue · sum · by day · split by plan",
    body: {
      data: {
        kind: "line",
        chart: chartData(
          result({
            metric: "revenue",
            series: [
              { tags: { plan: "pro" }, points: series(30, (i) => 1800 + i * 55 + (i % 7) * 90) },
              { tags: { plan: "team" }, points: series(30, (i) => (i === 12 ? null : 900 + i * 20)) },
              { tags: { plan: "free" }, points: series(30, (i) => 300 + (i % 5) * 40) },
            ],
          }),
        ),
        empty: false,
      },
      periodLabel: "previous 30 days",
      metric: "revenue",
      filtered: false,
      compare: true,
    },
  },
  numberUp: {
    kind: "number",
    title: "Signups",
    rangeLabel: "Last 7 days",
    footer: "signups · sum",
    body: { data: { kind: "number", number: { value: 1284, previous: 1101, change: (1284 - 1101) / 1101, from: "", to: "" }, empty: false }, periodLabel: "previous 7 days", metric: "signups", filtered: false, compare: true },
  },
  numberDown: {
    kind: "number",
    title: "Churned accounts",
    rangeLabel: "Last 7 days",
    footer: "churn · count · plan = pro",
    body: { data: { kind: "number", number: { value: 37, previous: 52, change: (37 - 52) / 52, from: "", to: "" }, empty: false }, periodLabel: "previous 7 days", metric: "churn", filtered: true, compare: true },
  },
  table: {
    kind: "table",
    title: "Orders by country",
    rangeLabel: "Last 7 days",
    footer: "orders · sum · by day · split by country",
    body: {
      data: {
        kind: "table",
        table: tableData(
          result({ metric: "orders", series: [{ tags: { country: "US" }, points: series(7, (i) => 40 + i) }, { tags: { country: "DE" }, points: series(7, (i) => 20 + 2 * i) }] }),
          ["country"],
          1,
          {},
        ),
        granularity: "day",
        empty: false,
      },
      periodLabel: "previous 7 days",
      metric: "orders",
      filtered: false,
      compare: true,
    },
  },
  empty: {
    kind: "line",
    title: "Trial conversions",
    rangeLabel: "Last 30 days",
    footer: "trial_converted · count · by day",
    body: { data: { kind: "line", chart: chartData(result({ series: [{ tags: {}, points: series(30, () => 0) }] })), empty: true }, periodLabel: "previous 30 days", metric: "trial_converted", filtered: false, compare: true },
  },
  crowded: {
    kind: "line",
    title: "Weekly active organisations on the enterprise plan, split by every acquisition channel we track",
    rangeLabel: "Last 30 days",
    footer: "organisations_active · max · by day · plan = enterprise · region ≠ internal-testing · split by utm_source, utm_campaign",
    body: {
      data: {
        kind: "line",
        chart: chartData(
          result({
            metric: "organisations_active",
            series: Array.from({ length: 10 }, (_, k) => ({ tags: { channel: `campaign-with-a-rather-long-name-${k + 1}` }, points: series(30, (i) => 20 + k * 7 + ((i * (k + 3)) % 11)) })),
          }),
        ),
        empty: false,
      },
      periodLabel: "previous 30 days",
      metric: "organisations_active",
      filtered: true,
      compare: true,
    },
  },
  problem: { kind: "table", title: "Broken widget", rangeLabel: "", footer: "Needs editing", body: { error: "granularity: Pick a granularity" } },
};
