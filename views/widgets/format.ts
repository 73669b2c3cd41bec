import type { Granularity } from "../../src/query/types";

/**
 * Numbers and bucket labels as widgets show them. Bucket starts arrive from the query engine as
 * `YYYY-MM-DDTHH:MM:SS±HH:MM` already in the product's zone, so the local part is read directly
 * (no zone arithmetic, no dependence on the server's zone).
 */
const EXACT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 });
const PERCENT = new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 });
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "1,234.5"; null is an empty bucket ("—"). */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  return EXACT.format(v);
}

/** The big figure of a number widget: exact below a billion, compact above ("1.23B"). */
export function formatFigure(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "—";
  return Math.abs(v) >= 1e9 ? COMPACT.format(v) : EXACT.format(v);
}

/** "12.5%" for 0.125, without a sign (the arrow shows the direction). */
export const formatPercent = (fraction: number) => PERCENT.format(Math.abs(fraction));

/** A bucket label at the widget's granularity: "8 Mar 2026", "8 Mar, 14:00", "Mar 2026". */
export function formatBucket(t: string, granularity: Granularity | null): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(t);
  if (!m) return t;
  const [, y, mo, d, hh, mm] = m;
  const month = MONTHS[Number(mo) - 1];
  const day = Number(d);
  switch (granularity) {
    case "month":
      return `${month} ${y}`;
    case "week":
      return `Week of ${day} ${month} ${y}`;
    case "hour":
    case "minute":
      return `${day} ${month} ${y}, ${hh}:${mm}`;
    default:
      return `${day} ${month} ${y}`;
  }
}
