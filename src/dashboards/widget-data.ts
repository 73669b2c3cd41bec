import { AppError } from "../lib/errors";
import type { Granularity, QueryInput, QueryResult, QuerySeries } from "../query/types";
import { previousPeriodQuery, widgetQuery } from "./widget-query";
import type { Widget } from "./widgets";

/**
 * What a widget card shows, computed from query-engine answers only (the one read path). The
 * engine is passed in as a function so this module needs no database and tests can count calls.
 */
export type RunQuery = (input: QueryInput) => QueryResult | Promise<QueryResult>;

export type ChartData = {
  x: number[]; // bucket starts, Unix seconds
  series: { label: string; values: (number | null)[] }[];
  timezone: string;
  granularity: Granularity | null;
};
export type NumberData = { value: number | null; previous: number | null; change: number | null; from: string; to: string };
export type TableSort = { by: "time" | "group" | "value"; dir: "asc" | "desc" };
export type TableData = {
  columns: { key: TableSort["by"]; label: string; numeric: boolean }[];
  rows: { time: string | null; group: string | null; value: number | null }[];
  page: number;
  pages: number;
  total: number;
  sort: TableSort;
};
/** `coarsened`: the granularity used when the configured one has too many buckets for the range. */
export type WidgetData = (
  | { kind: "line"; chart: ChartData; empty: boolean }
  | { kind: "number"; number: NumberData; empty: boolean }
  | { kind: "table"; table: TableData; granularity: Granularity | null; empty: boolean }
) & { coarsened?: Granularity };

export const TABLE_PAGE_SIZE = 10;

export async function loadWidgetData(
  run: RunQuery,
  widget: Widget,
  opts: { dashboardRange: string | null; timezone: string; page?: number; sort?: Partial<TableSort> },
): Promise<WidgetData> {
  const config = widget.config;
  if (!config) throw new Error(widget.problem ?? "invalid widget");
  const { input, result } = await runCoarsening(run, widgetQuery(widget.kind, config, opts));
  const coarsened = input.granularity !== config.granularity && widget.kind !== "number" ? { coarsened: input.granularity } : {};
  if (widget.kind === "number") return { kind: "number", ...(await numberData(run, input, result, config.compare)) };
  if (widget.kind === "table") {
    const table = tableData(result, config.groupBy, opts.page ?? 1, opts.sort ?? {});
    return { kind: "table", table, granularity: result.granularity, empty: table.total === 0 || isAllEmpty(result), ...coarsened };
  }
  return { kind: "line", chart: chartData(result), empty: isAllEmpty(result), ...coarsened };
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

async function numberData(run: RunQuery, input: QueryInput, result: QueryResult, compare: boolean): Promise<{ number: NumberData; empty: boolean }> {
  const value = result.value ?? result.series[0]?.value ?? null;
  let previous: number | null = null;
  const prevInput = compare ? previousPeriodQuery(input, result) : null;
  if (prevInput) {
    const prev = await run(prevInput);
    previous = prev.value ?? prev.series[0]?.value ?? null;
  }
  const change = value !== null && previous !== null && previous !== 0 ? (value - previous) / Math.abs(previous) : null;
  return { number: { value, previous, change, from: result.from, to: result.to }, empty: value === null };
}

/** Nothing matched: no series, or every bucket empty (0 for sum/count, null for avg/min/max). */
function isAllEmpty(result: QueryResult): boolean {
  return result.series.every((s) => (s.points.length ? s.points.every((p) => p.v === null || p.v === 0) : s.value === null || s.value === undefined || s.value === 0));
}

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

/** "US · pro" for a group; "(no country)" for points without the key; "Other" for the folded rest. */
export function seriesLabel(s: Pick<QuerySeries, "tags">, metric: string): string {
  const entries = Object.entries(s.tags);
  if (!entries.length) return metric;
  return entries.map(([k, v]) => (v === "__other__" ? "Other" : v === "" ? `(no ${k})` : v)).join(" · ");
}

/** Rows = bucket × series (DESIGN.md: tables show engine buckets, raw rows only through CSV). */
export function tableData(result: QueryResult, groupBy: string[], page: number, sortIn: Partial<TableSort>): TableData {
  const timed = result.granularity !== null;
  const grouped = groupBy.length > 0;
  const rows: TableData["rows"] = [];
  for (const s of result.series) {
    const group = grouped ? seriesLabel(s, result.metric) : null;
    if (timed) for (const p of s.points) rows.push({ time: p.t, group, value: p.v });
    else rows.push({ time: null, group, value: s.value ?? null });
  }
  const sort: TableSort = {
    by: sortIn.by === "value" || (sortIn.by === "group" && grouped) || (sortIn.by === "time" && timed) ? sortIn.by : timed ? "time" : "value",
    dir: sortIn.dir === "asc" || sortIn.dir === "desc" ? sortIn.dir : "desc",
  };
  const sign = sort.dir === "asc" ? 1 : -1;
  const cmp = (a: TableData["rows"][number], b: TableData["rows"][number]): number => {
    if (sort.by === "value") return compareNullable(a.value, b.value) * sign || compareTime(b.time, a.time);
    if (sort.by === "group") return compareText(a.group, b.group) * sign || compareTime(b.time, a.time);
    // Ties (one bucket, many groups) by value, largest first.
    return compareTime(a.time, b.time) * sign || compareNullable(b.value, a.value);
  };
  rows.sort(cmp);
  const pages = Math.max(1, Math.ceil(rows.length / TABLE_PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const columns: TableData["columns"] = [];
  if (timed) columns.push({ key: "time", label: "Time", numeric: false });
  if (grouped) columns.push({ key: "group", label: groupBy.join(" · "), numeric: false });
  columns.push({ key: "value", label: result.aggregation[0]!.toUpperCase() + result.aggregation.slice(1), numeric: true });
  return { columns, rows: rows.slice((current - 1) * TABLE_PAGE_SIZE, current * TABLE_PAGE_SIZE), page: current, pages, total: rows.length, sort };
}

// An empty bucket (null) counts as smaller than every number.
function compareNullable(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

function compareText(a: string | null, b: string | null): number {
  return (a ?? "").localeCompare(b ?? "");
}

// By instant, not text: across a DST change the same local hour repeats with another offset.
function compareTime(a: string | null, b: string | null): number {
  return (a ? Date.parse(a) : 0) - (b ? Date.parse(b) : 0);
}
