import type { Database } from "bun:sqlite";
import { matches, type EventRow, type Hit, type SessionRow } from "../web/query/filters";
import { withGoalTests } from "../web/query/goal-filters";
import { parseWebQuery } from "../web/query/parse";
import type { Filter } from "../web/query/types";
import { webReaderFor } from "../storage";

/**
 * A revenue goal's own revenue: the amounts its tracked events carried
 * (`goal("purchase", { revenue: { amount, currency } })`) in the goal's currency, over the hits
 * the card's query counts — read with the web query's own parser, goal tests and filter matching
 * (src/web/query/), so revenue is taken over exactly the conversions the row shows. Amounts in
 * other currencies are left out, never converted.
 */
export function goalRevenue(reader: Database, productId: string, query: { filters?: unknown[] }, goal: { event: string | null; currency: string | null }, range: { from: number; to: number }): number | null {
  if (!goal.event || !goal.currency) return null;
  const q = parseWebQuery({ metrics: ["visitors"], date_range: "day", filters: query.filters ?? [] });
  const filter: Filter = { op: "and", filters: withGoalTests(reader, productId, q.filters) };
  const web = webReaderFor(reader);
  const rows = web.revenueHits(productId, range.from, range.to, goal.currency, goal.event);
  const sessions = new Map<number, SessionRow>(web.sessionsByIds(productId, [...new Set(rows.map((e) => e.session_id))]).map((s) => [s.id, s]));
  let sum = 0;
  for (const e of rows) {
    const s = sessions.get(e.session_id);
    if (!s) continue;
    const h: Hit = { e, s, props: e.props ? (JSON.parse(e.props) as Record<string, string>) : null };
    if (matches(filter, h)) sum += e.revenue_amount ?? 0;
  }
  return Math.round(sum * 100) / 100;
}
