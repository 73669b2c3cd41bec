import { isoSeconds } from "../../lib/time/dates";
import type { CardMetric, CardTab } from "./cards";
import { labelInstant, type DateRange, type Periods } from "./periods";
import { queryFilters, TOP_METRICS, type TopMetric, type WebView } from "./view";

/**
 * The Stats API v2 queries behind the web dashboard, as data. The page runs them through the one
 * function /api/v2/query runs (so every number equals the API's for the same input), and a test
 * can send the same bodies to the API and compare.
 */
export type WebQuery = {
  metrics: string[];
  date_range: string | DateRange;
  dimensions?: string[];
  filters?: unknown[];
  order_by?: [string, "asc" | "desc"][];
  include?: { total_rows?: boolean; time_labels?: boolean };
  pagination?: { limit: number; offset: number };
};
/** What runWebQuery answers (Plausible's shape). Metrics are numbers, or null where undefined. */
export type WebAnswer = {
  results: { dimensions: unknown[]; metrics: unknown[] }[];
  meta?: { total_rows?: number; time_labels?: string[] } & Record<string, unknown>;
};
export type RunWebQuery = (query: WebQuery) => Promise<WebAnswer>;

export const CARD_ROWS = 9;
export const DETAILS_ROWS = 100;
export const CSV_ROWS = 10_000;
export const REALTIME_MS = 5 * 60_000;

const withFilters = (q: WebQuery, view: Pick<WebView, "filters">): WebQuery => (view.filters.length ? { ...q, filters: queryFilters(view.filters) } : q);

export const topQuery = (view: WebView, range: DateRange): WebQuery => withFilters({ metrics: [...TOP_METRICS], date_range: range }, view);

export const chartQuery = (view: WebView, periods: Periods): WebQuery =>
  withFilters({ metrics: [view.metric], date_range: periods.current, dimensions: [`time:${periods.interval}`], include: { time_labels: true } }, view);

/**
 * A card's queries: its figures by the tab's dimension, ordered by the first; and, when it shows
 * a goal figure (the conversion rate with the revenue goal), the same breakdown with that goal as
 * a filter, whose rows are joined to the first query's by their dimension values.
 */
export type CardQueries = { main: WebQuery; goal: WebQuery | null };
export function cardQueries(columns: CardMetric[], tab: CardTab, view: WebView, periods: Periods, limit: number, revenueGoal: string | null): CardQueries {
  const dimensions = tab.labelDimension ? [tab.dimension, tab.labelDimension] : [tab.dimension];
  const plain = columns.filter((m) => !m.goal);
  const main = withFilters(
    {
      metrics: plain.map((m) => m.key),
      date_range: periods.current,
      dimensions,
      order_by: [[plain[0]!.key, "desc"]],
      include: { total_rows: true },
      pagination: { limit, offset: 0 },
    },
    view,
  );
  const goals = columns.filter((m) => m.goal);
  if (!goals.length || revenueGoal === null) return { main, goal: null };
  const filters = [...queryFilters(view.filters), ["is", "event:goal", [revenueGoal]]];
  return { main, goal: { metrics: goals.map((m) => m.key), date_range: periods.current, dimensions, filters, pagination: { limit: CSV_ROWS, offset: 0 } } };
}

/** Visitors of the last five minutes (not filtered: "N current visitors" is about the site). */
export const realtimeQuery = (now: number): WebQuery => ({ metrics: ["visitors"], date_range: [isoSeconds(now - REALTIME_MS), isoSeconds(now)] });

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

export type TopFigure = { metric: TopMetric; value: number | null; previous: number | null };
export function readTop(current: WebAnswer, previous: WebAnswer): TopFigure[] {
  const a = current.results[0]?.metrics ?? [];
  const b = previous.results[0]?.metrics ?? [];
  return TOP_METRICS.map((metric, i) => ({ metric, value: num(a[i]) ?? 0, previous: num(b[i]) ?? 0 }));
}

/** `post`: the X post a t.co referrer was named after. */
export type CardRow = { value: string | null; label: string; metrics: (number | null)[]; post?: string };
/** A card's rows with its figures in `columns` order; `posts` when its rows may name X posts. */
export type CardRows = { rows: CardRow[]; total: number; columns: CardMetric[]; posts?: true };

/** Names the rows that are labelled t.co links (the tab's `xPosts`), when the product has any. */
export function withXPosts(data: CardRows, tab: CardTab, posts: Map<string, string>): CardRows {
  if (!tab.xPosts || posts.size === 0) return data;
  return { ...data, posts: true, rows: data.rows.map((r) => (r.value !== null && posts.has(r.value) ? { ...r, post: posts.get(r.value)! } : r)) };
}
export function readCard(answer: WebAnswer, tab: CardTab, columns: CardMetric[], goalAnswer: WebAnswer | null = null): CardRows {
  const plain = columns.filter((m) => !m.goal);
  const goals = columns.filter((m) => m.goal);
  const goalRows = new Map((goalAnswer?.results ?? []).map((r) => [r.dimensions.map(String).join("\u0001"), r.metrics]));
  const rows = answer.results.map((r) => {
    const raw = r.dimensions[0];
    const value = raw === null || raw === undefined || raw === "" ? null : String(raw);
    const shown = tab.labelDimension ? r.dimensions[1] : raw;
    const converted = goalRows.get(r.dimensions.map(String).join("\u0001"));
    // A row the goal query has no row for had no conversions: 0, not unknown.
    const metrics = columns.map((m) => (m.goal ? (converted ? num(converted[goals.indexOf(m)]) : 0) : num(r.metrics[plain.indexOf(m)])));
    return { value, label: shown === null || shown === undefined || shown === "" ? "(none)" : String(shown), metrics };
  });
  return { rows, total: num(answer.meta?.total_rows) ?? rows.length, columns };
}

/**
 * The chart's points: every label of the range (time_labels), zero where no row has it, and no
 * value (a gap, not a fall to zero) for buckets that have not started yet ("today" at noon).
 */
export type ChartPoints = { x: number[]; values: (number | null)[] };
export function readChart(answer: WebAnswer, timeZone: string, now: number): ChartPoints {
  const byLabel = new Map(answer.results.map((r) => [String(r.dimensions[0]), num(r.metrics[0]) ?? 0]));
  const labels = answer.meta?.time_labels ?? [...byLabel.keys()].sort();
  const x: number[] = [];
  const values: (number | null)[] = [];
  for (const label of labels) {
    const t = labelInstant(label, timeZone);
    if (!Number.isFinite(t)) continue;
    x.push(Math.floor(t / 1000));
    values.push(t > now ? null : (byLabel.get(label) ?? 0));
  }
  return { x, values };
}

export const readRealtime = (answer: WebAnswer): number => num(answer.results[0]?.metrics[0]) ?? 0;
