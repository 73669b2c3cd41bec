import type { Database } from "bun:sqlite";
import type { Db } from "../db/connection";
import { bucketStarts, resolveRange } from "../lib/time/calendar";
import { localDateAt } from "../lib/time/dates";
import { toMajor } from "./currency";
import { ltvByCohort, ltvBySource, type LtvCohort, type LtvSource } from "./ltv";
import { mrrMovements, readSubscriptionChanges } from "./mrr";

/**
 * MRR and LTV as people read them: what `GET /api/v1/revenue/mrr` and `/ltv` answer and what the
 * web dashboard's MRR and LTV cards show (one function each, so the page equals the API). Amounts
 * in major units of each currency; currencies side by side, never converted or summed.
 */
export type MrrMonth = { month: string; mrr: number; new: number; expansion: number; contraction: number; churned: number };
export type MrrReport = { currencies: Record<string, MrrMonth[]>; note: string };

export const MRR_NOTE = "Amounts in major units of each currency; currencies are never converted or summed.";

export function mrrReport(reader: Db, product: { id: string; timezone: string }, months: number, now: number): MrrReport {
  const { from } = resolveRange(product.timezone, months - 1, "mo", now);
  const bounds = [...bucketStarts(product.timezone, "month", from, now), now];
  const byCurrency = mrrMovements(readSubscriptionChanges(reader, product.id, now), bounds);
  const currencies = Object.fromEntries(
    Object.entries(byCurrency).map(([currency, periods]) => [
      currency,
      periods.map((p) => ({
        month: localDateAt(p.start, product.timezone).slice(0, 7),
        mrr: toMajor(p.mrr, currency),
        new: toMajor(p.new, currency),
        expansion: toMajor(p.expansion, currency),
        contraction: toMajor(p.contraction, currency),
        churned: toMajor(p.churned, currency),
      })),
    ]),
  );
  return { currencies, note: MRR_NOTE };
}

/** The currencies the product has been paid in: its own first, then the others by name. */
export function paymentCurrencies(reader: Database, productId: string, own: string): string[] {
  const rows = reader.query("SELECT DISTINCT currency FROM revenue_events WHERE product_id = ? AND kind IN ('purchase', 'refund') AND currency != '' ORDER BY currency").all(productId) as { currency: string }[];
  const list = rows.map((r) => r.currency).filter((c) => c !== own);
  return rows.some((r) => r.currency === own) ? [own, ...list] : list;
}

export type LtvReport = { currency: string; cohorts: LtvCohort[] } | { currency: string; sources: LtvSource[] };

export function ltvReport(reader: Database, product: { id: string; timezone: string }, by: "cohort" | "source", now: number, currency?: string): LtvReport {
  return by === "cohort" ? ltvByCohort(reader, product.id, product.timezone, now, currency) : ltvBySource(reader, product.id, now, currency);
}
