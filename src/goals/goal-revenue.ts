import type { Database } from "bun:sqlite";
import { matches, type Hit, type SessionRow } from "../web/query/filters";
import { withGoalTests } from "../web/query/goal-filters";
import { parseWebQuery } from "../web/query/parse";
import type { Filter } from "../web/query/types";
import { browserPayments } from "../revenue/browser-payments";
import { toMajor } from "../revenue/currency";

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
  let minor = 0;
  for (const p of browserPayments(reader, productId, range.from, range.to, goal.currency)) {
    if (p.event.name !== goal.event || !p.session) continue;
    const h: Hit = { e: p.event, s: p.session as unknown as SessionRow, props: p.event.props ? (JSON.parse(p.event.props) as Record<string, string>) : null };
    if (matches(filter, h)) minor += p.amountMinor;
  }
  return toMajor(minor, goal.currency);
}
