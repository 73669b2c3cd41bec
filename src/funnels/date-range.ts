import { badRequest } from "../lib/errors";
import { parseRfc3339 } from "../lib/time/rfc3339";
import { localDateAt, parseLocalDate, startOfLocalDate } from "../lib/time/dates";
import { formatInZone } from "../lib/time/calendar";

/**
 * `date_range` as `/api/v2/query` takes it (DESIGN.md): "day", "Nd" (the last N days, today
 * included), "month", "year", "all", or `["from", "to"]` dates (both days included) or date-times,
 * resolved in `zone` to [from, to).
 */
export type ResolvedRange = { from: number; to: number; label: [string, string] };

const DAY = 86_400_000;

function addDays(date: string, n: number): string {
  const d = parseLocalDate(date)!;
  return new Date(Date.UTC(d.y, d.m - 1, d.d + n)).toISOString().slice(0, 10);
}

const days = (zone: string, first: string, last: string): ResolvedRange => {
  const from = startOfLocalDate(parseLocalDate(first)!, zone);
  const to = startOfLocalDate(parseLocalDate(addDays(last, 1))!, zone);
  return { from, to, label: [formatInZone(zone, from), formatInZone(zone, to - 1)] };
};

export function resolveFunnelRange(input: unknown, zone: string, now: number): ResolvedRange {
  const today = localDateAt(now, zone);
  if (typeof input === "string") {
    const n = /^([1-9]\d{0,3})d$/.exec(input);
    if (n) return days(zone, addDays(today, -(Number(n[1]) - 1)), today);
    if (input === "day") return days(zone, today, today);
    if (input === "24h") return { from: now - DAY, to: now, label: [formatInZone(zone, now - DAY), formatInZone(zone, now)] };
    if (input === "month") return days(zone, today.slice(0, 8) + "01", today);
    if (input === "year") return days(zone, today.slice(0, 5) + "01-01", today);
    if (input === "all") return { from: 0, to: now, label: [formatInZone(zone, 0), formatInZone(zone, now)] };
  }
  if (Array.isArray(input) && input.length === 2 && input.every((x) => typeof x === "string")) {
    const [a, b] = input as [string, string];
    if (parseLocalDate(a) && parseLocalDate(b)) {
      if (b < a) throw badRequest("invalid_funnel", "date_range ends before it starts", "date_range");
      return days(zone, a, b);
    }
    const from = parseRfc3339(a);
    const to = parseRfc3339(b);
    if (from !== undefined && to !== undefined) {
      if (to < from) throw badRequest("invalid_funnel", "date_range ends before it starts", "date_range");
      return { from, to: to + 1, label: [formatInZone(zone, from), formatInZone(zone, to)] };
    }
  }
  throw badRequest("invalid_funnel", 'date_range is "day", "7d", "30d", "month", "year", "all" or ["YYYY-MM-DD", "YYYY-MM-DD"]', "date_range");
}
