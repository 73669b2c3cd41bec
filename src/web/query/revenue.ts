import type { Database } from "bun:sqlite";
import type { RevenueAnswer } from "./metrics";
import type { Filter, RevenueValue } from "./types";
import { isTimeDim } from "./types";
import { displayValue } from "./acc";
import { matches, storedValue, type Hit, type SessionRow } from "./filters";
import { countryName } from "../enrich/geo";
import { attributedPayments, type AttributedPayment } from "../../revenue/attribution";
import { minorDigits, toMajor } from "../../revenue/currency";

/**
 * THE seam for revenue metrics (DESIGN.md "Revenue"): total_revenue, average_revenue, revenue,
 * purchases and rpv of one result row — payments made in [from, to), each under the dimension
 * values of the one visit it is attributed to (src/revenue/attribution.ts). Revenue is net of
 * refunds (a refund counts on its own day, under its purchase's visit), in the product's
 * currency only: other currencies are reported apart, never converted.
 *
 * A row with no visit dimension counts every payment, attributed or not; a row of a visit
 * dimension counts the payments attributed to visits with that value. Event dimensions other
 * than the visit's own (event:page, event:goal, props) have no revenue of their own: null.
 */
export type RevenueRow = { productId: string; from: number; to: number; dimensions: string[]; values: string[]; filters: Filter[] };

const NONE: RevenueAnswer = { total: null, average: null, revenue: 0, purchases: 0 };

export function revenueForRow(reader: Database, row: RevenueRow): RevenueAnswer {
  const { currency, payments } = attributedPayments(reader, row.productId, row.from, row.to);
  const visitDims = row.dimensions.map((d, i) => ({ d, i })).filter(({ d }) => !isTimeDim(d));
  if (visitDims.some(({ d }) => !d.startsWith("visit:"))) return NONE;
  let minor = 0;
  let purchases = 0;
  for (const p of payments) {
    if (visitDims.length || row.filters.length) {
      if (!p.session) continue;
      const hit: Hit = { e: null, s: p.session as SessionRow, props: null };
      if (!visitDims.every(({ d, i }) => shown(d, storedValue(d, hit)) === row.values[i])) continue;
      if (!row.filters.every((f) => matches(f, hit))) continue;
    }
    minor += p.amountMinor;
    if (p.kind === "purchase") purchases++;
  }
  if (!payments.length && !purchases) return NONE;
  const revenue = toMajor(minor, currency);
  return {
    total: money(revenue, currency),
    average: purchases ? money(revenue / purchases, currency) : null,
    revenue: round(revenue, minorDigits(currency)),
    purchases,
  };
}

const shown = (dim: string, stored: string | undefined) => (stored === undefined ? undefined : dim === "visit:country_name" ? (stored === "" ? null : countryName(stored)) : displayValue(dim, stored));

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Plausible's money shape: { short: "$1.2K", long: "$1,234.50", value: 1234.5, currency: "USD" }. */
export function money(value: number, currency: string): RevenueValue {
  const digits = minorDigits(currency);
  const long = new Intl.NumberFormat("en-US", { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  const short = new Intl.NumberFormat("en-US", { style: "currency", currency, notation: "compact", maximumFractionDigits: 1 }).format(value);
  return { short, long, value: round(value, digits), currency };
}

export type { AttributedPayment };
