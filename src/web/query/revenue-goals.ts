import type { Database } from "bun:sqlite";
import { attributedPayments } from "../../revenue/attribution";
import type { EventRow, SessionRow } from "./filters";
import { filterDims } from "./parse";
import type { WebQuery } from "./types";

/**
 * Revenue goals in the Stats API v2 (DESIGN.md "Revenue", "Goals and funnels"). A revenue goal is
 * an event goal with a `currency` (src/goals). It converts when the browser sends its event
 * (`litekpi.goal("purchase", { revenue })`) and also when a paid purchase in its currency arrives
 * by webhook: that purchase is a completion of the goal by the one visit it is attributed to
 * (src/revenue/attribution.ts), at the instant it was paid. So `conversion_rate` with
 * `["is", "event:goal", ["purchase"]]` is the share of visitors who paid, per source, country, …
 * whichever way the payment was reported, and a visit that reported it both ways counts once.
 *
 * `event:goal` values are event names (what the tracker sends), so the completion carries the
 * goal's event name. The raw path (src/web/query/raw.ts) merges these completions into the hits
 * it counts; the pre-aggregates hold only what the tracker sent, so a query that touches
 * event:goal takes the raw path while the product has a revenue goal.
 */
export type RevenueGoal = { name: string; event: string; currency: string };

export function revenueGoals(reader: Database, productId: string): RevenueGoal[] {
  return reader
    .query("SELECT name, event, currency FROM goals WHERE product_id = ? AND event IS NOT NULL AND currency IS NOT NULL ORDER BY created_at, name")
    .all(productId) as RevenueGoal[];
}

export const touchesGoal = (q: Pick<WebQuery, "dimensions" | "filters">) => q.dimensions.includes("event:goal") || filterDims(q.filters).includes("event:goal");

/**
 * The webhook purchases of [from, to) as completions of the product's revenue goals: the visits
 * they are attributed to (which may have started before `from`) and one hit per purchase, unless
 * that visit already sent the goal's event itself (`sent`: session id → event names).
 */
export function revenueGoalHits(reader: Database, productId: string, from: number, to: number, sent: (sessionId: number, name: string) => boolean): { sessions: SessionRow[]; events: EventRow[] } {
  const sessions = new Map<number, SessionRow>();
  const events: EventRow[] = [];
  const seen = new Set<string>();
  for (const goal of revenueGoals(reader, productId)) {
    const key = goal.event + "\u0001" + goal.currency;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const p of attributedPayments(reader, productId, from, to, goal.currency).payments) {
      if (p.kind !== "purchase" || !p.session) continue;
      const s = p.session as unknown as SessionRow & { hostname: string | null };
      if (sent(s.id, goal.event)) continue;
      sessions.set(s.id, s);
      events.push({ session_id: s.id, visitor_id: s.visitor_id, ts_ms: p.paidAt, name: goal.event, hostname: s.hostname ?? "", pathname: "", props: null, engaged_ms: null, scroll_depth: null });
    }
  }
  return { sessions: [...sessions.values()], events };
}
