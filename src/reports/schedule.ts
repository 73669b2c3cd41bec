import { instantOfWall, wallAt, wallMs } from "../lib/time/calendar";

/**
 * When a report runs: daily, weekly on a weekday or monthly on a day, at HH:MM on the product's
 * wall clock (DESIGN.md "Settled details"). A monthly day past the month's end runs on its last
 * day; a time skipped by a DST jump runs at the first instant after the gap; a time the clock
 * shows twice (autumn) runs once, at its first occurrence. The zone arithmetic is the query
 * engine's (src/query/time.ts), so report instants and chart buckets agree on what "local" means.
 */
export const FREQUENCIES = ["daily", "weekly", "monthly"] as const;
export type Frequency = (typeof FREQUENCIES)[number];
export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export type Schedule = {
  frequency: Frequency;
  weekday: number | null; // 1 = Monday … 7 = Sunday (weekly)
  monthDay: number | null; // 1–31 (monthly)
  timeOfDay: string; // "HH:MM", 24-hour
};

// A monthly run is at most 31 local days after the previous one; a year bounds any valid schedule.
const MAX_DAYS_AHEAD = 400;

export function parseTimeOfDay(s: string): { h: number; mi: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? { h: Number(m[1]), mi: Number(m[2]) } : null;
}

/** The first scheduled instant strictly after `after` (ms). Throws on a schedule that can never run. */
export function nextRunAfter(schedule: Schedule, zone: string, after: number): number {
  const time = parseTimeOfDay(schedule.timeOfDay);
  if (!time) throw new Error(`invalid time of day "${schedule.timeOfDay}"`);
  const today = wallAt(zone, after);
  // Start a day early: the run of yesterday's date can fall after `after` when a DST gap around
  // midnight pushes it past the date line.
  for (let i = -1; i <= MAX_DAYS_AHEAD; i++) {
    const day = new Date(wallMs(today.y, today.mo, today.d + i));
    const y = day.getUTCFullYear();
    const mo = day.getUTCMonth() + 1;
    const d = day.getUTCDate();
    if (!runsOn(schedule, y, mo, d, day.getUTCDay() || 7)) continue;
    const at = instantOfWall(zone, wallMs(y, mo, d, time.h, time.mi));
    if (at > after) return at;
  }
  throw new Error(`schedule ${JSON.stringify(schedule)} has no run within ${MAX_DAYS_AHEAD} days`);
}

/** Every scheduled instant in (from, to], oldest first, at most `limit` of them. */
export function runsBetween(schedule: Schedule, zone: string, from: number, to: number, limit = 10_000): number[] {
  const out: number[] = [];
  for (let t = nextRunAfter(schedule, zone, from); t <= to && out.length < limit; t = nextRunAfter(schedule, zone, t)) out.push(t);
  return out;
}

function runsOn(s: Schedule, y: number, mo: number, d: number, isoWeekday: number): boolean {
  switch (s.frequency) {
    case "daily":
      return true;
    case "weekly":
      return isoWeekday === s.weekday;
    case "monthly": {
      if (!s.monthDay) return false;
      const last = new Date(wallMs(y, mo + 1, 0)).getUTCDate();
      return d === Math.min(s.monthDay, last);
    }
  }
}

const ORDINAL = (n: number) => {
  const rem = n % 100;
  if (rem >= 11 && rem <= 13) return `${n}th`;
  return `${n}${({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th"}`;
};

/** "Every day at 09:00", "Every Monday at 09:00", "Monthly on the 31st (or the month's last day) at 09:00". */
export function describeSchedule(s: Schedule): string {
  if (s.frequency === "daily") return `Every day at ${s.timeOfDay}`;
  if (s.frequency === "weekly") return `Every ${WEEKDAYS[(s.weekday ?? 1) - 1]} at ${s.timeOfDay}`;
  const day = s.monthDay ?? 1;
  return `Monthly on the ${ORDINAL(day)}${day > 28 ? " (or the month's last day)" : ""} at ${s.timeOfDay}`;
}
