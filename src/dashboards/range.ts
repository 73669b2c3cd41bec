import * as v from "valibot";
import type { WidgetRange } from "./widget-config";
import { isoSeconds, localDateAt, parseLocalDate, startOfLocalDate } from "../lib/time/dates";

/**
 * Time ranges as people pick them: the dashboard-wide presets (24h … 12mo, or custom dates) and
 * calendar dates typed in the product's time zone. Custom ranges are whole local days: from the
 * first day's midnight to the midnight after the last day (half-open, like the engine's buckets).
 */
export const DASHBOARD_PRESETS = ["24h", "7d", "30d", "90d", "12mo"] as const;
export type DashboardPreset = (typeof DASHBOARD_PRESETS)[number];

const CUSTOM_RE = /^custom:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)\/(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/;

/** Stored in dashboards.range: a preset or `custom:<from>/<to>` (UTC instants, from < to). */
export const DashboardRangeSchema = v.pipe(
  v.string(),
  v.check((s) => (DASHBOARD_PRESETS as readonly string[]).includes(s) || isOrderedCustom(s), "Pick a range: 24h, 7d, 30d, 90d, 12mo or custom dates"),
);

function isOrderedCustom(s: string): boolean {
  const m = CUSTOM_RE.exec(s);
  return !!m && Date.parse(m[1]!) < Date.parse(m[2]!);
}

export type ResolvedRange = { range: string } | { from: string; to: string };

/** The range a widget queries: the dashboard's override when set, else the widget's own. */
export function effectiveRange(widgetRange: WidgetRange, dashboardRange: string | null): ResolvedRange {
  if (dashboardRange) {
    const m = CUSTOM_RE.exec(dashboardRange);
    if (m) return { from: m[1]!, to: m[2]! };
    if ((DASHBOARD_PRESETS as readonly string[]).includes(dashboardRange)) return { range: dashboardRange };
  }
  if (widgetRange.kind === "last") return { range: `${widgetRange.n}${widgetRange.unit}` };
  return { from: widgetRange.from, to: widgetRange.to };
}

/** "custom:<from>/<to>" from two local dates (the last one inclusive). */
export function customRangeFromDates(fromDate: string, toDate: string, timeZone: string): string | null {
  const span = datesToInstants(fromDate, toDate, timeZone);
  return span ? `custom:${span.from}/${span.to}` : null;
}

/** Two local `YYYY-MM-DD` dates → UTC instants [first midnight, midnight after the last day); null when unusable. */
export function datesToInstants(fromDate: string, toDate: string, timeZone: string): { from: string; to: string } | null {
  const a = parseLocalDate(fromDate);
  const b = parseLocalDate(toDate);
  if (!a || !b) return null;
  const from = startOfLocalDate(a, timeZone);
  const to = startOfLocalDate({ ...b, d: b.d + 1 }, timeZone);
  if (!(from < to)) return null;
  return { from: isoSeconds(from), to: isoSeconds(to) };
}

/** The local dates a stored [from, to) covers, for date inputs: the end date is the day before `to`. */
export function instantsToDates(from: string, to: string, timeZone: string): { fromDate: string; toDate: string } {
  return { fromDate: localDateAt(Date.parse(from), timeZone), toDate: localDateAt(Date.parse(to) - 1, timeZone) };
}

/** "Last 7 days" → "previous 7 days": the comparison a number card and a report card name. */
export function previousLabel(rangeLabel: string): string {
  return rangeLabel.startsWith("Last ") ? `previous ${rangeLabel.slice(5)}` : "previous period";
}

/** Describes a range for people: "Last 7 days", "1 Mar – 31 Mar 2026". */
export function describeRange(r: ResolvedRange, timeZone: string): string {
  if ("range" in r) {
    const m = /^(\d+)(h|d|w|mo|y)$/.exec(r.range);
    if (!m) return r.range;
    const n = Number(m[1]);
    const unit = { h: "hour", d: "day", w: "week", mo: "month", y: "year" }[m[2] as "h"];
    return n === 1 ? `Last ${unit}` : `Last ${n} ${unit}s`;
  }
  const { fromDate, toDate } = instantsToDates(r.from, r.to, timeZone);
  const fmt = (d: string) => new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(Date.parse(d + "T00:00:00Z"));
  return fromDate === toDate ? fmt(fromDate) : `${fmt(fromDate)} – ${fmt(toDate)}`;
}
