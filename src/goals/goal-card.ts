import type { Database } from "bun:sqlite";
import type { Db } from "../db/connection";
import { resolveDateRange } from "../web/query/range";
import type { CardDef, CardMetric } from "../web/dashboard/cards";
import type { Periods } from "../web/dashboard/periods";
import type { CardRows, RunWebQuery, WebQuery } from "../web/dashboard/queries";
import { queryFilters, type WebView } from "../web/dashboard/view";
import { goalRevenue } from "./goal-revenue";
import type { Goal } from "./goals";
import { goalTimeToConvert, type TimeToConvert } from "./time-to-convert";

/**
 * The web dashboard's Goals card once a product has defined goals (DESIGN.md "Goals and funnels",
 * seed FR-5): one row per goal with its conversions (unique visitors, total), conversion rate,
 * its own revenue for a revenue goal, and the median time from visit start to the goal. Counts
 * and CR are the Stats API v2 answer to `goalQuery` (the same body /api/v2/query takes), time to
 * convert comes from the one funnel engine, revenue from the goal's tracked amounts. A row names
 * the goal, so a click filters the whole page by it (every other card then shows conversions).
 * Without defined goals the card lists tracked custom events, as before.
 */
export const GOAL_METRICS: CardMetric[] = [
  { key: "visitors", label: "Uniques" },
  { key: "events", label: "Total" },
  { key: "conversion_rate", label: "CR" },
];
const REVENUE: CardMetric = { key: "revenue", label: "Revenue" };
const TIME: CardMetric = { key: "time_to_convert", label: "Median time" };

/** The Goals card of defined goals: the revenue column only when some goal is a revenue goal. */
export function definedGoalsCard(base: CardDef, goals: Goal[]): CardDef {
  return { ...base, metrics: [...GOAL_METRICS, ...(goals.some((g) => g.currency) ? [REVENUE] : []), TIME], detailsLink: "Time to convert" };
}

/** One goal's counts under the page's other filters (a goal filter of the page gives way to the row's own goal). */
export function goalQuery(goal: Pick<Goal, "name">, view: Pick<WebView, "filters">, periods: Pick<Periods, "current">): WebQuery {
  const others = view.filters.filter((f) => f.key !== "goal");
  return { metrics: GOAL_METRICS.map((m) => m.key), date_range: periods.current, filters: [...queryFilters(others), ["is", "event:goal", [goal.name]]] };
}

export type GoalCardData = CardRows & { times: { goal: string; time: TimeToConvert }[] };

export async function loadGoalCard(
  run: RunWebQuery,
  store: { db: Db; reader: { $client: Database } },
  product: { id: string; timezone: string },
  goals: Goal[],
  view: WebView,
  periods: Periods,
  now: number,
  limit: number,
): Promise<GoalCardData> {
  const range = resolveDateRange(periods.current, product.timezone, now, () => null); // the page's dates, never "all"
  const withRevenue = goals.some((g) => g.currency);
  const rows = await Promise.all(
    goals.map(async (goal) => {
      const q = goalQuery(goal, view, periods);
      const answer = await run(q);
      const [visitors, events, cr] = (answer.results[0]?.metrics ?? [0, 0, 0]).map((x) => (typeof x === "number" ? x : 0)) as [number, number, number];
      // Timed over the same conversions the row counts: the visitors that the page's filters keep.
      const time = goalTimeToConvert(store.reader as Db, product.id, goal, range, view.filters.length ? q : undefined);
      const revenue = withRevenue ? goalRevenue(store.reader.$client, product.id, q, goal, range) : undefined;
      const metrics = [visitors, events, cr, ...(withRevenue ? [revenue ?? null] : []), time.median_seconds];
      return { row: { value: goal.name, label: goal.name, metrics }, time };
    }),
  );
  rows.sort((a, b) => (b.row.metrics[0] ?? 0) - (a.row.metrics[0] ?? 0) || (a.row.label < b.row.label ? -1 : 1));
  const columns = [...GOAL_METRICS, ...(withRevenue ? [REVENUE] : []), TIME];
  return { rows: rows.slice(0, limit).map((r) => r.row), total: rows.length, columns, times: rows.slice(0, limit).map((r) => ({ goal: r.row.label, time: r.time })) };
}
