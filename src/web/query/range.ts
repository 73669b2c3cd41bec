import { AppError } from "../../lib/errors";
import { bucketStarts, formatInZone, wallAt } from "../../lib/time/calendar";
import { localDateAt, parseLocalDate, startOfLocalDate } from "../../lib/time/dates";
import { parseRfc3339 } from "../../lib/time/rfc3339";
import type { DateRangeInput, TimeDimension } from "./types";

/**
 * `date_range` → the half-open instants [from, to) in the site's zone, as Plausible resolves
 * them: "day" today; "7d" the 6 days before today and today; "28d", "30d", "91d" that many days
 * before today and today (Plausible's own arithmetic: "30d" spans 31 calendar days); "month",
 * "year" the whole current month / year; "6mo", "12mo" the current month and the 5 / 11 before
 * it; "all" from the first recorded visit to today; "24h" (ours) the last 24 whole clock hours up
 * to the end of the current one; ["YYYY-MM-DD", "YYYY-MM-DD"] both days included; or two
 * RFC 3339 date-times, [from, to] as given.
 */
export type ResolvedRange = { from: number; to: number; zone: string };

/*
 * THE parser of `date_range`: `/api/v2/query` and the funnel API (DESIGN.md: funnels take
 * `date_range` as `/api/v2/query` takes it) both call `checkDateRange` then `resolveDateRange`,
 * so they take and refuse the same values with the same messages and field; `code` is the
 * calling endpoint's error code.
 */
const faultOf = (code: string) => (message: string) => new AppError(400, code, message, { field: "date_range" });
const HOUR = 3_600_000;

/** The shape: a string, or a pair of strings (their values are checked as they are resolved). */
export function checkDateRange(input: unknown, code = "invalid_query"): DateRangeInput {
  if (typeof input === "string" || (Array.isArray(input) && input.length === 2 && input.every((x) => typeof x === "string"))) return input as DateRangeInput;
  throw faultOf(code)('"date_range" must be "day", "7d", "30d", "month", … or ["from", "to"]');
}

type LocalDay = { y: number; m: number; d: number };
const dayOf = (zone: string, ms: number): LocalDay => {
  const w = wallAt(zone, ms);
  return { y: w.y, m: w.mo, d: w.d };
};
const startOf = (zone: string, day: LocalDay) => startOfLocalDate(day, zone);
const plusDays = (day: LocalDay, n: number): LocalDay => ({ ...day, d: day.d + n });

export function resolveDateRange(input: DateRangeInput, zone: string, now: number, firstVisitMs: () => number | null, code = "invalid_query"): ResolvedRange {
  const fault = faultOf(code);
  const today = dayOf(zone, now);
  const days = (first: LocalDay, last: LocalDay) => ({ from: startOf(zone, first), to: startOf(zone, plusDays(last, 1)), zone });
  if (Array.isArray(input)) {
    const [a, b] = input;
    const da = parseLocalDate(a);
    const db = parseLocalDate(b);
    if (da && db) {
      const r = days(da, db);
      if (r.to <= r.from) throw fault(`date_range ends before it starts`);
      return r;
    }
    const ta = parseRfc3339(a);
    const tb = parseRfc3339(b);
    if (ta === undefined || tb === undefined) throw fault(`Invalid date_range ${JSON.stringify(input)}: two dates (YYYY-MM-DD) or two RFC 3339 date-times`);
    // Plausible's end is inclusive (…T23:59:59): a whole second is added so the last second counts.
    const to = tb + (tb % 1000 === 0 ? 1000 : 1);
    if (to <= ta) throw fault(`date_range ends before it starts`);
    return { from: ta, to, zone };
  }
  const monthStart = (back: number): LocalDay => ({ y: today.y, m: today.m - back, d: 1 });
  switch (input) {
    case "day":
      return days(today, today);
    case "24h": {
      const end = Math.floor(now / HOUR) * HOUR + HOUR;
      return { from: end - 24 * HOUR, to: end, zone };
    }
    case "7d":
      return days(plusDays(today, -6), today);
    case "28d":
      return days(plusDays(today, -28), today);
    case "30d":
      return days(plusDays(today, -30), today);
    case "91d":
      return days(plusDays(today, -91), today);
    case "month":
      return { from: startOf(zone, monthStart(0)), to: startOf(zone, monthStart(-1)), zone };
    case "6mo":
      return { from: startOf(zone, monthStart(5)), to: startOf(zone, monthStart(-1)), zone };
    case "12mo":
      return { from: startOf(zone, monthStart(11)), to: startOf(zone, monthStart(-1)), zone };
    case "year":
      return { from: startOf(zone, { y: today.y, m: 1, d: 1 }), to: startOf(zone, { y: today.y + 1, m: 1, d: 1 }), zone };
    case "all": {
      const first = firstVisitMs();
      return days(first === null ? today : dayOf(zone, first), today);
    }
  }
  throw fault(`Invalid date_range ${JSON.stringify(input)}`);
}

/** The previous period of the same length (what the dashboard compares with). */
export function previousRange(r: ResolvedRange): ResolvedRange {
  return { from: r.from - (r.to - r.from), to: r.from, zone: r.zone };
}

/** "time" picks its unit from the range's length, as Plausible does. */
export function timeUnit(dim: TimeDimension, r: ResolvedRange): "hour" | "day" | "week" | "month" {
  if (dim !== "time") return dim.slice(5) as "hour" | "day" | "week" | "month";
  const days = (r.to - r.from) / (24 * HOUR);
  if (days <= 2) return "hour";
  if (days <= 40) return "day";
  if (days <= 370) return "week";
  return "month";
}

/** Bucket starts of the unit over the range; the first is clipped to `from` (a week can start before it). */
export function buckets(unit: "hour" | "day" | "week" | "month", r: ResolvedRange): number[] {
  return bucketStarts(r.zone, unit, r.from, r.to);
}

/** A bucket's label as Plausible writes it: "2026-03-08" (day, week, month) or "2026-03-08 14:00:00" (hour). */
export function bucketLabel(unit: "hour" | "day" | "week" | "month", zone: string, start: number): string {
  if (unit !== "hour") return localDateAt(start, zone);
  return formatInZone(zone, start).slice(0, 19).replace("T", " ");
}

/** `query.date_range` in the answer: the resolved range as date-times with the zone's offset, the end inclusive. */
export function echoRange(r: ResolvedRange): [string, string] {
  return [formatInZone(r.zone, r.from), formatInZone(r.zone, r.to - 1000)];
}
