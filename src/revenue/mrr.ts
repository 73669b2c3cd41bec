import type { Db } from "../db/connection";

/**
 * MRR and its movements from subscription events (DESIGN.md "Revenue"): each subscription's MRR
 * is the last value its events gave it; a change moves it from one amount to another, and the
 * change is filed as new (from 0, including a comeback), expansion (up), contraction (down, still
 * above 0) or churned (to 0). Per currency, never converted; months in the product's zone.
 */
export type SubscriptionChange = { subscriptionId: string; at: number; mrrMinor: number; currency: string };
export type MrrPeriod = { start: number; mrr: number; new: number; expansion: number; contraction: number; churned: number };
export type MrrByCurrency = Record<string, MrrPeriod[]>;

/**
 * `changes` in time order (ties in arrival order); `starts` the period starts, ascending, with
 * the end of the last period as its final element. MRR of a period is the MRR at its end.
 */
export function mrrMovements(changes: SubscriptionChange[], starts: number[]): MrrByCurrency {
  const out: MrrByCurrency = {};
  const periods = (currency: string) =>
    (out[currency] ??= starts.slice(0, -1).map((start) => ({ start, mrr: 0, new: 0, expansion: 0, contraction: 0, churned: 0 })));
  const current = new Map<string, { mrr: number; currency: string }>();
  const end = starts.at(-1)!;
  let p = 0;
  const closePeriodsBefore = (t: number) => {
    while (p < starts.length - 1 && starts[p + 1]! <= t) {
      for (const [currency, list] of Object.entries(out)) list[p]!.mrr = totalOf(current, currency);
      p++;
    }
  };
  for (const c of changes) {
    if (c.at >= end) break;
    closePeriodsBefore(c.at);
    const before = current.get(c.subscriptionId);
    // A subscription that changes currency ends in the old one and starts in the new one.
    if (before && before.currency !== c.currency && before.mrr > 0) {
      if (c.at >= starts[0]!) periods(before.currency)[p]!.churned += before.mrr;
      current.set(c.subscriptionId, { mrr: 0, currency: before.currency });
    }
    const prev = before && before.currency === c.currency ? before.mrr : 0;
    current.set(c.subscriptionId, { mrr: c.mrrMinor, currency: c.currency });
    periods(c.currency);
    if (c.at < starts[0]!) continue; // history before the first period only sets the starting MRR
    const row = out[c.currency]![p]!;
    const delta = c.mrrMinor - prev;
    if (prev === 0 && c.mrrMinor > 0) row.new += c.mrrMinor;
    else if (c.mrrMinor === 0 && prev > 0) row.churned += prev;
    else if (delta > 0) row.expansion += delta;
    else if (delta < 0) row.contraction += -delta;
  }
  closePeriodsBefore(end);
  return out;
}

const totalOf = (current: Map<string, { mrr: number; currency: string }>, currency: string) => {
  let n = 0;
  for (const s of current.values()) if (s.currency === currency) n += s.mrr;
  return n;
};

/** The product's subscription changes with a known MRR, in time order. */
export function readSubscriptionChanges(db: Db, productId: string, before: number): SubscriptionChange[] {
  return db.$client
    .query(
      `SELECT subscription_id AS subscriptionId, paid_at AS at, mrr_minor AS mrrMinor, currency FROM revenue_events
       WHERE product_id = ? AND kind = 'subscription' AND subscription_id IS NOT NULL AND mrr_minor IS NOT NULL AND currency != '' AND paid_at < ?
       ORDER BY paid_at, seq`,
    )
    .all(productId, before) as SubscriptionChange[];
}
