import type { Database } from "bun:sqlite";
import { localDateAt } from "../lib/time/dates";
import { createAttributor, type PaymentRow } from "./attribution";
import { toMajor } from "./currency";

/**
 * Lifetime value (DESIGN.md "Revenue"): per customer (the provider's customer id, else the
 * email), the net revenue of every payment in the product's currency. By cohort: customers
 * grouped by the month of their first purchase (in the product's zone), with the cumulative LTV
 * per month since. By source: grouped by the source of their first purchase's attributed visit
 * ("Direct / None" when that visit had none, "Unattributed" when no visit is known).
 */
export type LtvCohort = { cohort: string; customers: number; revenue: number; ltv: number; byMonth: number[] };
export type LtvSource = { source: string; customers: number; revenue: number; ltv: number };

type Customer = { first: PaymentRow; payments: PaymentRow[] };

function customersOf(reader: Database, productId: string, currency: string, before: number): Customer[] {
  const rows = reader
    .query(
      `SELECT kind, amount_minor, paid_at, visitor_id, customer_id, email, order_id FROM revenue_events
       WHERE product_id = ? AND kind IN ('purchase', 'refund') AND currency = ? AND paid_at < ? ORDER BY paid_at, seq`,
    )
    .all(productId, currency, before) as PaymentRow[];
  const byOrder = new Map<string, string>();
  const customers = new Map<string, Customer>();
  for (const r of rows) {
    // A refund often names no customer: it belongs to whoever made its purchase.
    const who = r.customer_id ?? r.email ?? (r.order_id ? byOrder.get(r.order_id) : undefined);
    if (!who) continue;
    if (r.kind === "purchase" && r.order_id) byOrder.set(r.order_id, who);
    let c = customers.get(who);
    if (!c) {
      if (r.kind !== "purchase") continue;
      customers.set(who, (c = { first: r, payments: [] }));
    }
    c.payments.push(r);
  }
  return [...customers.values()];
}

const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

/** `currency`: the product's by default; another currency is reported on its own, never converted. */
export function ltvByCohort(reader: Database, productId: string, zone: string, now: number, inCurrency?: string): { currency: string; cohorts: LtvCohort[] } {
  const currency = inCurrency ?? createAttributor(reader, productId).currency;
  const groups = new Map<string, Customer[]>();
  for (const c of customersOf(reader, productId, currency, now)) {
    const cohort = localDateAt(c.first.paid_at, zone).slice(0, 7);
    groups.set(cohort, [...(groups.get(cohort) ?? []), c]);
  }
  const nowMonth = monthIndex(localDateAt(now, zone));
  const cohorts = [...groups]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([cohort, list]) => {
      const span = nowMonth - monthIndex(cohort + "-01") + 1;
      const perMonth = new Array<number>(span).fill(0);
      for (const c of list) for (const p of c.payments) perMonth[Math.min(span - 1, monthIndex(localDateAt(p.paid_at, zone)) - monthIndex(cohort + "-01"))]! += p.amount_minor;
      let running = 0;
      const byMonth = perMonth.map((m) => toMajor((running += m) / list.length, currency));
      const revenue = perMonth.reduce((a, b) => a + b, 0);
      return { cohort, customers: list.length, revenue: toMajor(revenue, currency), ltv: toMajor(revenue / list.length, currency), byMonth };
    });
  return { currency, cohorts };
}

export function ltvBySource(reader: Database, productId: string, now: number, inCurrency?: string): { currency: string; sources: LtvSource[] } {
  const attributor = createAttributor(reader, productId);
  const currency = inCurrency ?? attributor.currency;
  const groups = new Map<string, { customers: number; revenue: number }>();
  for (const c of customersOf(reader, productId, currency, now)) {
    const visit = attributor.visitOf(c.first);
    const source = visit ? (visit.source ? String(visit.source) : "Direct / None") : "Unattributed";
    const g = groups.get(source) ?? { customers: 0, revenue: 0 };
    g.customers++;
    g.revenue += c.payments.reduce((a, p) => a + p.amount_minor, 0);
    groups.set(source, g);
  }
  const sources = [...groups]
    .map(([source, g]) => ({ source, customers: g.customers, revenue: toMajor(g.revenue, currency), ltv: toMajor(g.revenue / g.customers, currency) }))
    .sort((a, b) => b.revenue - a.revenue || (a.source < b.source ? -1 : 1));
  return { currency, sources };
}
