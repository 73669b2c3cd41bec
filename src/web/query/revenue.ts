import type { Database } from "bun:sqlite";
import type { RevenueAnswer } from "./metrics";
import type { Filter, RevenueValue } from "./types";
import { isTimeDim } from "./types";
import { displayValue } from "./acc";
import { matches, storedValue, type Hit, type SessionRow } from "./filters";
import { countryName } from "../enrich/geo";
import { attributedPayments, settingsOf, type AttributedPayment } from "../../revenue/attribution";
import { browserPayments, revenueSource, type ReportedPayment } from "../../revenue/browser-payments";
import { minorDigits, toMajor } from "../../revenue/currency";
import { revenueGoals } from "./revenue-goals";

/**
 * THE seam for revenue metrics (DESIGN.md "Revenue"): total_revenue, average_revenue, revenue,
 * purchases and rpv of one result row — payments made in [from, to), each under the dimension
 * values of the one visit it is attributed to (src/revenue/attribution.ts), or, for a product
 * without a payment provider, the amounts its revenue goals' events reported, under the visit
 * that sent them (src/revenue/browser-payments.ts). Revenue is net of
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
  const visitDims = row.dimensions.map((d, i) => ({ d, i })).filter(({ d }) => !isTimeDim(d));
  if (visitDims.some(({ d }) => !d.startsWith("visit:"))) return NONE;
  const { currency, count, groups } = groupedPayments(reader, row, visitDims.map(({ d }) => d));
  if (!count) return NONE;
  const g = groups.get(visitDims.map(({ i }) => row.values[i]).join(SEP)) ?? { minor: 0, purchases: 0 };
  const revenue = toMajor(g.minor, currency);
  return {
    total: money(revenue, currency),
    average: g.purchases ? money(revenue / g.purchases, currency) : null,
    revenue: round(revenue, minorDigits(currency)),
    purchases: g.purchases,
  };
}

const SEP = "\u0001";
type Groups = { currency: string; count: number; groups: Map<string, { minor: number; purchases: number }> };

// The rows of one answer share their range, dimensions and filters: each payment is put under its
// row's values once per synchronous run, not once per row (the cache empties when the run yields).
const groupCache = new Map<string, Groups>();

function groupedPayments(reader: Database, row: RevenueRow, dims: string[]): Groups {
  const key = `${row.productId}|${row.from}|${row.to}|${dims.join(",")}|${JSON.stringify(row.filters)}`;
  const hit = groupCache.get(key);
  if (hit) return hit;
  if (groupCache.size === 0) queueMicrotask(() => groupCache.clear());
  let currency: string;
  let payments: ReportedPayment[];
  if (revenueSource(reader, row.productId) === "webhooks") {
    const attributed = attributedPayments(reader, row.productId, row.from, row.to);
    currency = attributed.currency;
    payments = attributed.payments.map((p) => ({ ...p, event: null }));
  } else {
    currency = settingsOf(reader, row.productId).currency;
    payments = browserPayments(reader, row.productId, row.from, row.to, currency);
  }
  // A payment is a completion of the revenue goals (src/web/query/revenue-goals.ts): a filter on them keeps it.
  const paidGoals = new Set(revenueGoals(reader, row.productId).map((g) => g.event));
  const filters = row.filters.filter((f) => !("dim" in f && f.dim === "event:goal" && f.op === "is" && f.values.every((v) => paidGoals.has(v))));
  const groups: Groups["groups"] = new Map();
  for (const p of payments) {
    let values = "";
    if (dims.length || row.filters.length) {
      // A row of a visit dimension (or a filtered one) counts only payments attributed to a matching visit.
      if (!p.session) continue;
      const hit: Hit = { e: p.event, s: p.session as SessionRow, props: p.event?.props ? (JSON.parse(p.event.props) as Record<string, string>) : null };
      if (!filters.every((f) => matches(f, hit))) continue;
      const shownValues = dims.map((d) => shown(d, storedValue(d, hit)));
      if (shownValues.some((v) => v === null || v === undefined)) continue;
      values = shownValues.join(SEP);
    }
    const g = groups.get(values) ?? { minor: 0, purchases: 0 };
    g.minor += p.amountMinor;
    if (p.kind === "purchase") g.purchases++;
    groups.set(values, g);
  }
  const answer = { currency, count: payments.length, groups };
  groupCache.set(key, answer);
  return answer;
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
