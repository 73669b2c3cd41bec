import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { describeSchedule, nextRunAfter, runsBetween, type Schedule } from "../../src/reports/schedule";

/**
 * Schedule arithmetic against an oracle that asks Intl directly (not the query engine's cached
 * offset tables the implementation uses), with fixed instants for the DST cases people hit.
 */
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
const at = (s: string) => Date.parse(s);
const daily = (timeOfDay: string): Schedule => ({ frequency: "daily", weekday: null, monthDay: null, timeOfDay });
const monthly = (monthDay: number, timeOfDay = "09:00"): Schedule => ({ frequency: "monthly", weekday: null, monthDay, timeOfDay });
const weekly = (weekday: number, timeOfDay = "09:00"): Schedule => ({ frequency: "weekly", weekday, monthDay: null, timeOfDay });

/** Wall clock of an instant in a zone, straight from Intl. */
function wall(zone: string, ms: number) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    weekday: "short",
  }).formatToParts(ms);
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  const weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(get("weekday")) + 1;
  return { y: +get("year"), mo: +get("month"), d: +get("day"), h: +get("hour"), mi: +get("minute"), weekday };
}
const hhmm = (w: { h: number; mi: number }) => `${String(w.h).padStart(2, "0")}:${String(w.mi).padStart(2, "0")}`;
const lastDayOf = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

describe("next run: explicit cases", () => {
  test("daily at 09:00 in UTC: later today, else tomorrow", () => {
    expect(iso(nextRunAfter(daily("09:00"), "UTC", at("2026-05-10T08:59:59Z")))).toBe("2026-05-10T09:00:00Z");
    expect(iso(nextRunAfter(daily("09:00"), "UTC", at("2026-05-10T09:00:00Z")))).toBe("2026-05-11T09:00:00Z");
  });

  test("America/New_York spring forward: 02:30 does not exist on 8 March, runs at 03:00 EDT (the first instant after the gap)", () => {
    const first = nextRunAfter(daily("02:30"), "America/New_York", at("2026-03-07T12:00:00Z"));
    expect(iso(first)).toBe("2026-03-08T07:00:00Z"); // 03:00 EDT
    expect(hhmm(wall("America/New_York", first))).toBe("03:00");
    // The next day is back to 02:30, now in EDT.
    expect(iso(nextRunAfter(daily("02:30"), "America/New_York", first))).toBe("2026-03-09T06:30:00Z");
  });

  test("America/New_York fall back: 01:30 happens twice on 1 November, the report runs once (the first)", () => {
    const runs = runsBetween(daily("01:30"), "America/New_York", at("2026-10-31T12:00:00Z"), at("2026-11-02T12:00:00Z"));
    expect(runs.map(iso)).toEqual(["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"]); // 01:30 EDT, then 01:30 EST next day
    // Asking from between the two 01:30s does not run it again that day.
    expect(iso(nextRunAfter(daily("01:30"), "America/New_York", at("2026-11-01T06:00:00Z")))).toBe("2026-11-02T06:30:00Z");
  });

  test("Europe/Berlin: 02:15 on the spring-forward Sunday runs at 03:00 CEST; 02:30 on the autumn Sunday runs once", () => {
    expect(iso(nextRunAfter(daily("02:15"), "Europe/Berlin", at("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:00:00Z");
    const autumn = runsBetween(daily("02:30"), "Europe/Berlin", at("2026-10-24T12:00:00Z"), at("2026-10-26T12:00:00Z"));
    expect(autumn.map(iso)).toEqual(["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"]);
  });

  test("Australia/Lord_Howe half-hour DST: 02:10 in the 02:00–02:30 gap runs at 02:30; the repeated 01:45 runs once", () => {
    // First Sunday of October 2026 (4 Oct): 02:00 +10:30 → 02:30 +11:00.
    const spring = nextRunAfter(daily("02:10"), "Australia/Lord_Howe", at("2026-10-03T00:00:00Z"));
    expect(iso(spring)).toBe("2026-10-03T15:30:00Z");
    expect(hhmm(wall("Australia/Lord_Howe", spring))).toBe("02:30");
    // First Sunday of April 2026 (5 Apr): 02:00 +11:00 → 01:30 +10:30, so 01:30–02:00 repeats.
    const autumn = runsBetween(daily("01:45"), "Australia/Lord_Howe", at("2026-04-03T12:00:00Z"), at("2026-04-06T12:00:00Z"));
    expect(autumn.map(iso)).toEqual(["2026-04-03T14:45:00Z", "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z"]);
  });

  test("monthly on the 31st runs on the last day of shorter months: 28 Feb, 29 Feb in a leap year, 30 Apr", () => {
    const runs2026 = runsBetween(monthly(31), "UTC", at("2026-01-01T00:00:00Z"), at("2026-05-01T00:00:00Z"));
    expect(runs2026.map(iso)).toEqual(["2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z", "2026-04-30T09:00:00Z"]);
    expect(iso(nextRunAfter(monthly(31), "UTC", at("2028-01-31T10:00:00Z")))).toBe("2028-02-29T09:00:00Z");
    expect(iso(nextRunAfter(monthly(30), "Europe/Berlin", at("2027-01-31T10:00:00Z")))).toBe("2027-02-28T08:00:00Z");
    // After the short month it goes back to the asked day.
    expect(iso(nextRunAfter(monthly(30), "UTC", at("2027-02-28T10:00:00Z")))).toBe("2027-03-30T09:00:00Z");
  });

  test("weekly on a weekday, in the product's zone (Monday 08:00 in Tokyo is Sunday 23:00 UTC)", () => {
    expect(iso(nextRunAfter(weekly(1, "08:00"), "Asia/Tokyo", at("2026-05-06T00:00:00Z")))).toBe("2026-05-10T23:00:00Z");
    expect(iso(nextRunAfter(weekly(7, "23:30"), "UTC", at("2026-05-10T23:30:00Z")))).toBe("2026-05-17T23:30:00Z");
  });

  test("schedules read as sentences", () => {
    expect(describeSchedule(daily("09:00"))).toBe("Every day at 09:00");
    expect(describeSchedule(weekly(3))).toBe("Every Wednesday at 09:00");
    expect(describeSchedule(monthly(31))).toBe("Monthly on the 31st (or the month's last day) at 09:00");
    expect(describeSchedule(monthly(2))).toBe("Monthly on the 2nd at 09:00");
  });
});

const ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "America/Santiago", "Pacific/Chatham", "Europe/London", "America/St_Johns"];
const scheduleArb = fc.oneof(
  fc.record({ frequency: fc.constant("daily" as const), weekday: fc.constant(null), monthDay: fc.constant(null), timeOfDay: fc.constant("") }),
  fc.record({ frequency: fc.constant("weekly" as const), weekday: fc.integer({ min: 1, max: 7 }), monthDay: fc.constant(null), timeOfDay: fc.constant("") }),
  fc.record({ frequency: fc.constant("monthly" as const), weekday: fc.constant(null), monthDay: fc.integer({ min: 1, max: 31 }), timeOfDay: fc.constant("") }),
);
// Times near DST changes (00:00–03:59) are over-represented; they are where schedules go wrong.
const timeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 59 })),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })),
).map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const caseArb = fc.record({
  schedule: fc.tuple(scheduleArb, timeArb).map(([s, t]) => ({ ...s, timeOfDay: t }) as Schedule),
  zone: fc.constantFrom(...ZONES),
  after: fc.integer({ min: at("2020-01-01T00:00:00Z"), max: at("2032-01-01T00:00:00Z") }),
});

/** The run falls on a date the schedule names (monthly: clamped to the month's end). */
function onScheduledDate(s: Schedule, w: ReturnType<typeof wall>): boolean {
  if (s.frequency === "weekly") return w.weekday === s.weekday;
  if (s.frequency === "monthly") return w.d === Math.min(s.monthDay!, lastDayOf(w.y, w.mo));
  return true;
}

describe("next run: properties", () => {
  test("the run is after `after`, at HH:MM local on a scheduled date, or at the end of a DST gap that swallowed HH:MM", () => {
    fc.assert(
      fc.property(caseArb, ({ schedule, zone, after }) => {
        const run = nextRunAfter(schedule, zone, after);
        expect(run).toBeGreaterThan(after);
        const w = wall(zone, run);
        if (hhmm(w) === schedule.timeOfDay) {
          expect(onScheduledDate(schedule, w)).toBe(true);
          // A repeated time runs at its first occurrence: an hour (or 30 min) earlier is another wall time.
          expect(hhmm(wall(zone, run - 3_600_000))).not.toBe(schedule.timeOfDay);
          expect(hhmm(wall(zone, run - 1_800_000))).not.toBe(schedule.timeOfDay);
        } else {
          // Gap: one minute before the run the clock was before HH:MM (of the run's date or, when the
          // gap spans midnight, the day before), at the run it is past it.
          const before = wall(zone, run - 60_000);
          const minutes = (x: { y: number; mo: number; d: number; h: number; mi: number }) => Date.UTC(x.y, x.mo - 1, x.d, x.h, x.mi) / 60_000;
          const [h, mi] = schedule.timeOfDay.split(":").map(Number);
          const swallowed = [0, -1].some((back) => {
            const target = minutes({ y: w.y, mo: w.mo, d: w.d + back, h: h!, mi: mi! });
            return minutes(before) < target && target < minutes(w);
          });
          expect(swallowed).toBe(true);
          expect(minutes(w) - minutes(before)).toBeGreaterThan(1); // the clock jumped
        }
      }),
      { numRuns: 400 },
    );
  });

  test("no run is missed: from any instant before the next run, the next run is the same", () => {
    fc.assert(
      fc.property(caseArb, fc.double({ min: 0, max: 1, noNaN: true }), ({ schedule, zone, after }, f) => {
        const run = nextRunAfter(schedule, zone, after);
        const between = Math.min(run - 1, after + Math.floor((run - after) * f));
        expect(nextRunAfter(schedule, zone, between)).toBe(run);
      }),
      { numRuns: 300 },
    );
  });

  test("over a year there is exactly one run per scheduled local date (DST neither doubles nor drops one)", () => {
    fc.assert(
      fc.property(caseArb, ({ schedule, zone, after }) => {
        const runs = runsBetween(schedule, zone, after, after + 366 * 86_400_000);
        const dates = runs.map((r) => {
          const w = wall(zone, r);
          return `${w.y}-${w.mo}-${w.d}`;
        });
        expect(new Set(dates).size).toBe(runs.length); // never twice on one date
        const expected = schedule.frequency === "daily" ? [365, 367] : schedule.frequency === "weekly" ? [52, 53] : [12, 13];
        expect(runs.length).toBeGreaterThanOrEqual(expected[0]!);
        expect(runs.length).toBeLessThanOrEqual(expected[1]!);
        for (let i = 1; i < runs.length; i++) expect(runs[i]!).toBeGreaterThan(runs[i - 1]!);
      }),
      { numRuns: 60 },
    );
  });
});
