import type { Database } from "bun:sqlite";
import { matches, type EventRow, type Hit, type SessionRow } from "../web/query/filters";
import { withGoalTests } from "../web/query/goal-filters";
import { parseWebQuery } from "../web/query/parse";
import type { Filter } from "../web/query/types";

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
  const rows = reader
    .query(
      `SELECT session_id, visitor_id, ts_ms, name, hostname, pathname, props, engaged_ms, scroll_depth, revenue_amount FROM web_events
       WHERE product_id = ? AND name = ? AND ts_ms >= ? AND ts_ms < ? AND revenue_amount IS NOT NULL AND revenue_currency = ?`,
    )
    .all(productId, goal.event, range.from, range.to, goal.currency) as (EventRow & { revenue_amount: number | null })[];
  const sessionOf = reader.query("SELECT * FROM web_sessions WHERE id = ?");
  let sum = 0;
  for (const e of rows) {
    const s = sessionOf.get(e.session_id) as SessionRow | null;
    if (!s) continue;
    const h: Hit = { e, s, props: e.props ? (JSON.parse(e.props) as Record<string, string>) : null };
    if (matches(filter, h)) sum += e.revenue_amount ?? 0;
  }
  return Math.round(sum * 100) / 100;
}
