import type { TopMetric } from "./view";

/** Figures of the web dashboard as people read them. Pure; the views and the CSV share them. */
const INT = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export const METRIC_LABELS: Record<TopMetric, string> = {
  visitors: "Unique visitors",
  visits: "Total visits",
  pageviews: "Total pageviews",
  bounce_rate: "Bounce rate",
  visit_duration: "Visit duration",
  revenue: "Revenue",
  rpv: "Revenue per visitor",
};

/** The tiles' labels, short enough for seven in a row; the full name is the tile's title. */
export const METRIC_SHORT: Record<TopMetric, string> = {
  visitors: "Visitors",
  visits: "Visits",
  pageviews: "Pageviews",
  bounce_rate: "Bounce rate",
  visit_duration: "Visit duration",
  revenue: "Revenue",
  rpv: "RPV",
};

/** A count: exact up to 99,999, then "123.4K" (the exact value goes in the title). */
export const formatCount = (v: number) => (Math.abs(v) < 100_000 ? INT.format(v) : COMPACT.format(v));

/** Seconds as "45s", "3m 05s", "1h 02m". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export function formatMoney(v: number, currency: string, small = false): string {
  try {
    return new Intl.NumberFormat("en-US", { style: "currency", currency, maximumFractionDigits: small ? 2 : v >= 1000 ? 0 : 2 }).format(v);
  } catch {
    return `${v.toFixed(2)} ${currency}`;
  }
}

export function formatMetric(metric: TopMetric | string, v: number | null, currency: string): string {
  if (v === null) return "—";
  switch (metric) {
    case "bounce_rate":
    case "conversion_rate":
      return `${Math.round(v * 10) / 10}%`;
    case "visit_duration":
    case "time_to_convert":
      return formatDuration(v);
    case "revenue":
      return formatMoney(v, currency);
    case "rpv":
      return formatMoney(v, currency, true);
    default:
      return formatCount(v);
  }
}

/**
 * The change against the previous period: relative for counts and money, percentage points for
 * bounce rate (a rate's relative change reads wrong). `good` says whether the move is good news
 * (a falling bounce rate is). Null when there is nothing to compare with.
 */
export type Change = { text: string; direction: "up" | "down" | "flat"; good: boolean; exact: string };
export function changeOf(metric: TopMetric, value: number | null, previous: number | null): Change | null {
  if (value === null || previous === null) return null;
  const lowerIsBetter = metric === "bounce_rate";
  let delta: number;
  let text: string;
  if (metric === "bounce_rate") {
    delta = Math.round(value - previous);
    text = `${Math.abs(delta)} pt`;
  } else {
    if (previous === 0) return value === 0 ? { text: "0%", direction: "flat", good: true, exact: "±0%" } : null;
    delta = Math.round(((value - previous) / previous) * 100);
    text = `${Math.abs(delta)}%`;
  }
  const direction = delta > 0 ? "up" : delta < 0 ? "down" : "flat";
  return { text, direction, good: direction === "flat" || (direction === "down") === lowerIsBetter, exact: `${delta > 0 ? "+" : delta < 0 ? "−" : "±"}${text}` };
}
