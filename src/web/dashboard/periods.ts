import { instantOfWall, wallMs } from "../../lib/time/calendar";
import { isoSeconds, localDateAt } from "../../lib/time/dates";
import type { RangePreset, WebRange } from "./view";

/**
 * A view's range as Stats API v2 `date_range` values: the period shown, the one before it (for
 * "the change vs the previous period") and the chart's interval. Day ranges are explicit local
 * dates in the product's zone (the zone /api/v2/query reads dates in), so the previous period is
 * exactly as long and the numbers are the ones the API gives for the same dates.
 */
export type DateRange = [string, string];
export type Interval = "hour" | "day" | "week" | "month";
export type Periods = { current: DateRange; previous: DateRange; interval: Interval; label: string; previousLabel: string };

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** "2026-03-01" plus n days (n may be negative). */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(wallMs(y, m, d + n)).toISOString().slice(0, 10);
}

const addMonths = (date: string, n: number) => {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return new Date(wallMs(y, m + n, 1)).toISOString().slice(0, 10);
};

export const daysBetween = (from: string, to: string) => Math.round((Date.parse(to + "T00:00:00Z") - Date.parse(from + "T00:00:00Z")) / DAY) + 1;

const PRESET_DAYS: Partial<Record<RangePreset, number>> = { "7d": 7, "30d": 30, "90d": 90 };
const PRESET_LABELS: Record<RangePreset, string> = { today: "today", "24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days", "90d": "the last 90 days", "12mo": "the last 12 months" };

export function resolvePeriods(range: WebRange, timeZone: string, now: number): Periods {
  const today = localDateAt(now, timeZone);
  if (range.kind === "custom") {
    const n = daysBetween(range.from, range.to);
    return {
      current: [range.from, range.to],
      previous: [addDays(range.from, -n), addDays(range.from, -1)],
      interval: n <= 2 ? "hour" : n <= 120 ? "day" : "month",
      label: range.from === range.to ? range.from : `${range.from} – ${range.to}`,
      previousLabel: `the previous ${n} day${n === 1 ? "" : "s"}`,
    };
  }
  const p = range.preset;
  if (p === "today") return { current: [today, today], previous: [addDays(today, -1), addDays(today, -1)], interval: "hour", label: PRESET_LABELS.today, previousLabel: "yesterday" };
  if (p === "24h") {
    // Whole hours, like the hourly buckets: the last 24 up to the end of the current one.
    const end = Math.floor(now / HOUR) * HOUR + HOUR;
    return {
      current: [isoSeconds(end - 24 * HOUR), isoSeconds(end - 1000)],
      previous: [isoSeconds(end - 48 * HOUR), isoSeconds(end - 24 * HOUR - 1000)],
      interval: "hour",
      label: PRESET_LABELS["24h"],
      previousLabel: "the 24 hours before",
    };
  }
  if (p === "12mo") {
    const start = addMonths(today, -11);
    return { current: [start, today], previous: [addMonths(today, -23), addDays(start, -1)], interval: "month", label: PRESET_LABELS["12mo"], previousLabel: "the 12 months before" };
  }
  const n = PRESET_DAYS[p]!;
  return {
    current: [addDays(today, -(n - 1)), today],
    previous: [addDays(today, -(2 * n - 1)), addDays(today, -n)],
    interval: "day",
    label: PRESET_LABELS[p],
    previousLabel: `the previous ${n} days`,
  };
}

/** The instant a chart label starts ("2026-03-01", "2026-03-01 14:00:00" or "2026-03-01T14:00:00…") in the zone. */
export function labelInstant(label: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(label);
  if (!m) return NaN;
  return instantOfWall(timeZone, wallMs(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)));
}
