import type { Database } from "bun:sqlite";
import type { EventRow } from "../web/query/filters";
import type { AttributedPayment, AttributedSession } from "./attribution";
import { minorDigits } from "./currency";
import { webReaderFor } from "../storage";

/**
 * Where a product's revenue comes from (DESIGN.md "Revenue"): its payment provider's webhooks
 * once one is connected (or a payment was received), else the amounts the site itself reports
 * with its revenue goals' events (`goal("purchase", { revenue })`, Plausible's `$`), as a site
 * moving from Plausible does. Never both: a purchase reported by the browser and by an
 * unattributed webhook could not be told apart, and would count twice.
 */
export type RevenueSource = "webhooks" | "browser";

export function revenueSource(reader: Database, productId: string): RevenueSource {
  const webhooks =
    reader.query("SELECT 1 FROM revenue_integrations WHERE product_id = ? LIMIT 1").get(productId) !== null ||
    reader.query("SELECT 1 FROM revenue_events WHERE product_id = ? LIMIT 1").get(productId) !== null;
  return webhooks ? "webhooks" : "browser";
}

/** A payment with the event that reported it, when the browser did (event filters apply to it). */
export type ReportedPayment = AttributedPayment & { event: EventRow | null };
export type BrowserPayment = AttributedPayment & { event: EventRow };

/**
 * The revenue goals' events of [from, to) that carried an amount in `currency`, as payments of
 * the visit that sent them: a positive amount is a purchase, a negative one a refund. Read through
 * the partial index of hits with an amount on SQLite (page views never enter it).
 */
export function browserPayments(reader: Database, productId: string, from: number, to: number, currency: string): BrowserPayment[] {
  const events = (
    reader.query("SELECT event FROM goals WHERE product_id = ? AND event IS NOT NULL AND currency = ?").all(productId, currency) as { event: string }[]
  ).map((g) => g.event);
  if (!events.length) return [];
  const web = webReaderFor(reader);
  const goalEvents = new Set(events);
  const rows = web.revenueHits(productId, from, to, currency, null).filter((e) => goalEvents.has(e.name));
  const sessions = new Map(web.sessionsByIds(productId, [...new Set(rows.map((e) => e.session_id))]).map((s) => [s.id, s as unknown as AttributedSession]));
  const scale = 10 ** minorDigits(currency);
  const out: BrowserPayment[] = [];
  for (const { revenue_amount, ...event } of rows) {
    const amountMinor = Math.round(revenue_amount * scale);
    const session = sessions.get(event.session_id) ?? null;
    out.push({ kind: amountMinor < 0 ? "refund" : "purchase", amountMinor, paidAt: event.ts_ms, session, event });
  }
  return out;
}
