import type { Database } from "bun:sqlite";
import { webReaderFor } from "../storage";

/**
 * Which visit a payment belongs to (DESIGN.md "Revenue"), decided when revenue is read — so a
 * webhook that arrived before its visit's page view is attributed as soon as the view is stored.
 *
 * The visitor: the payment's `litekpi_visitor_id` (checkout metadata), else one a checkout of
 * the same customer carried (a Stripe subscription's session before its invoices), else the
 * visitor who last called `litekpi.identify()` with the customer's email or id. The visit:
 * among that visitor's visits that started within the product's attribution window before the
 * payment, the last one with a source (last non-direct touch, the default) or the first one
 * (first touch); with no source anywhere, the last visit. One visit per payment, never two.
 * A refund takes its purchase's visit.
 */
export type AttributedSession = Record<string, string | number | null> & { id: number; source: string | null; start_ms: number };
export type AttributedPayment = { kind: "purchase" | "refund"; amountMinor: number; paidAt: number; session: AttributedSession | null };

type Settings = { currency: string; windowMs: number; model: string };

const DAY = 86_400_000;

// One web query asks for the revenue of many rows over the same range: attribute once per
// synchronous run (the cache is emptied as soon as the run yields).
const cache = new Map<string, { currency: string; payments: AttributedPayment[] }>();

/** Payments in [from, to) in `currency` (the product's by default), each with its attributed visit. */
export function attributedPayments(reader: Database, productId: string, from: number, to: number, currency?: string): { currency: string; payments: AttributedPayment[] } {
  const key = `${productId}|${from}|${to}|${currency ?? ""}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (cache.size === 0) queueMicrotask(() => cache.clear());
  const attributor = createAttributor(reader, productId);
  const rows = reader
    .query(
      `SELECT kind, amount_minor, paid_at, visitor_id, customer_id, email, order_id FROM revenue_events
       WHERE product_id = ? AND paid_at >= ? AND paid_at < ? AND kind IN ('purchase', 'refund') AND currency = ? ORDER BY paid_at, seq`,
    )
    .all(productId, from, to, currency ?? attributor.currency) as PaymentRow[];
  attributor.prefetch(rows.map((r) => r.visitor_id).filter((v): v is string => v !== null));
  const payments = rows.map((r): AttributedPayment => ({ kind: r.kind, amountMinor: r.amount_minor, paidAt: r.paid_at, session: attributor.visitOf(r) }));
  const answer = { currency: currency ?? attributor.currency, payments };
  cache.set(key, answer);
  return answer;
}

export type PaymentRow = { kind: "purchase" | "refund"; amount_minor: number; paid_at: number; visitor_id: string | null; customer_id: string | null; email: string | null; order_id: string | null };

/** The product's currency and the visit of any payment row (a refund: its purchase's). */
export function createAttributor(reader: Database, productId: string) {
  const settings = settingsOf(reader, productId);
  const purchaseOf = reader.query("SELECT kind, amount_minor, paid_at, visitor_id, customer_id, email, order_id FROM revenue_events WHERE product_id = ? AND order_id = ? AND kind = 'purchase' ORDER BY paid_at LIMIT 1");
  const customerVisitor = reader.query("SELECT visitor_id FROM revenue_events WHERE product_id = ? AND customer_id = ? AND visitor_id IS NOT NULL AND paid_at <= ? ORDER BY paid_at DESC LIMIT 1");
  const web = webReaderFor(reader);
  // Visits of many visitors at once (one query per 500 ids, not one per payment).
  const known = new Map<string, AttributedSession[]>();
  const visitsOf = (visitor: string, until: number, since: number) => {
    let all = known.get(visitor);
    if (!all) known.set(visitor, (all = web.visitsOfPersisted(productId, [visitor])));
    return all.filter((v) => v.start_ms <= until && v.start_ms > since);
  };
  return {
    currency: settings.currency,
    prefetch(visitors: string[]) {
      const ids = [...new Set(visitors)].filter((v) => !known.has(v));
      for (const v of ids) known.set(v, []);
      for (const row of web.visitsOfPersisted(productId, ids)) known.get(row.persisted_id)!.push(row);
    },
    visitOf(r: PaymentRow): AttributedSession | null {
      const anchor = r.kind === "refund" && r.order_id ? ((purchaseOf.get(productId, r.order_id) as PaymentRow | null) ?? r) : r;
      const visitor = anchor.visitor_id ?? (anchor.customer_id ? ((customerVisitor.get(productId, anchor.customer_id, anchor.paid_at) as { visitor_id: string } | null)?.visitor_id ?? null) : null);
      const since = anchor.paid_at - settings.windowMs;
      if (visitor) return pick(visitsOf(visitor, anchor.paid_at, since), settings.model);
      const who = [anchor.email, anchor.customer_id].filter((x): x is string => !!x);
      if (!who.length) return null;
      const seen = web.identifiedVisitor(productId, who[0]!, who[1] ?? who[0]!, anchor.paid_at);
      return seen !== null ? pick(web.visitsOfVisitor(productId, seen, anchor.paid_at, since), settings.model) : null;
    },
  };
}

/** `candidates` newest first. */
function pick(candidates: AttributedSession[], model: string): AttributedSession | null {
  if (!candidates.length) return null;
  if (model === "first_touch") return candidates[candidates.length - 1]!;
  return candidates.find((s) => s.source !== null && s.source !== "") ?? candidates[0]!;
}

export function settingsOf(reader: Database, productId: string): Settings {
  const row = reader.query("SELECT currency, attribution_window_days AS days, attribution_model AS model FROM web_sites WHERE product_id = ?").get(productId) as { currency: string; days: number; model: string } | null;
  return { currency: row?.currency ?? "USD", windowMs: (row?.days ?? 30) * DAY, model: row?.model ?? "last_touch" };
}
