import type { ChartData } from "../../dashboards/kinds/line";
import { cardColumns, cardForView, cardTab, CARDS, type CardDef, type CardTab, type RevenueColumns } from "./cards";
import { resolvePeriods, type Periods } from "./periods";
import { withXPosts, CARD_ROWS, cardQueries, chartQuery, readCard, readChart, readRealtime, readTop, realtimeQuery, topQuery, type CardRows, type RunWebQuery, type TopFigure } from "./queries";
import { METRIC_LABELS } from "./format";
import type { WebView } from "./view";

/**
 * Everything the web dashboard shows, read through `run` (the Stats API v2 function, bound to
 * the product). Pure apart from `run`; the queries of one page go out together.
 */
export type PanelData = { top: TopFigure[]; chart: ChartData };

export async function loadPanel(run: RunWebQuery, view: WebView, periods: Periods, timeZone: string, now: number): Promise<PanelData> {
  const [current, previous, chart] = await Promise.all([run(topQuery(view, periods.current)), run(topQuery(view, periods.previous)), run(chartQuery(view, periods))]);
  const points = readChart(chart, timeZone, now);
  return {
    top: readTop(current, previous),
    chart: { x: points.x, series: [{ label: METRIC_LABELS[view.metric], values: points.values }], timezone: timeZone, granularity: periods.interval },
  };
}

export type CardLoad = { revenue: RevenueColumns; limit?: number; details?: boolean; xPosts?: Map<string, string> };

export async function loadCard(run: RunWebQuery, card: CardDef, tab: CardTab, view: WebView, periods: Periods, opts: CardLoad): Promise<CardRows> {
  const columns = cardColumns(card, tab, opts.revenue, opts.details ?? false);
  const q = cardQueries(columns, tab, view, periods, opts.limit ?? CARD_ROWS, opts.revenue.goal);
  const [main, goal] = await Promise.all([run(q.main), q.goal ? run(q.goal) : null]);
  return withXPosts(readCard(main, tab, columns, goal), tab, opts.xPosts ?? new Map());
}

export const loadRealtime = async (run: RunWebQuery, now: number) => readRealtime(await run(realtimeQuery(now)));

export type DashboardData = { periods: Periods; panel: PanelData; cards: { card: CardDef; tab: CardTab; data: CardRows }[]; realtime: number };

/** A card read another way than its dimension (the Goals card of defined goals, src/goals/goal-card.ts). */
export type CardLoader = (tab: CardTab, periods: Periods, limit?: number) => Promise<{ card: CardDef; data: CardRows }>;

export type DashboardLoad = { revenue: RevenueColumns; xPosts?: Map<string, string>; loaders?: Record<string, CardLoader | undefined> };

export async function loadDashboard(run: RunWebQuery, view: WebView, timeZone: string, now: number, opts: DashboardLoad): Promise<DashboardData> {
  const periods = resolvePeriods(view.range, timeZone, now);
  const [panel, realtime, ...cards] = await Promise.all([
    loadPanel(run, view, periods, timeZone, now),
    loadRealtime(run, now),
    ...CARDS.map(async (base) => {
      const tab = cardTab(base, null);
      const own = opts.loaders?.[base.id];
      if (own) return { tab, ...(await own(tab, periods)) };
      const card = cardForView(base, view);
      return { card, tab, data: await loadCard(run, card, tab, view, periods, { revenue: opts.revenue, xPosts: opts.xPosts }) };
    }),
  ]);
  return { periods, panel, realtime, cards };
}
