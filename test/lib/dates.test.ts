import { expect, test } from "bun:test";
import { bucketStarts } from "../../src/lib/time/calendar";
import { localDateAt, parseLocalDate, startOfLocalDate } from "../../src/lib/time/dates";
import { datesToInstants } from "../../src/dashboards/range";

/**
 * One home for time (src/lib/time/): a custom range of whole local days starts and ends exactly
 * where the query engine's day buckets do, also on days whose midnight a DST jump skips.
 */
const CASES: [zone: string, day: string][] = [
  ["America/Santiago", "2025-09-07"], // clocks jump from 24:00 to 01:00: no midnight
  ["America/Havana", "2026-03-08"], // the same at 00:00
  ["Asia/Beirut", "2026-03-29"],
  ["Europe/Berlin", "2026-03-29"],
  ["America/New_York", "2026-11-01"],
  ["Asia/Kolkata", "2026-01-15"],
  ["UTC", "2026-02-28"],
];

for (const [zone, day] of CASES) {
  test(`${zone} ${day}: the custom day is the engine's day bucket`, () => {
    const range = datesToInstants(day, day, zone)!;
    const from = Date.parse(range.from);
    const to = Date.parse(range.to);
    const buckets = bucketStarts(zone, "day", from - 3 * 86_400_000, to + 3 * 86_400_000);
    expect(buckets).toContain(from);
    expect(buckets[buckets.indexOf(from) + 1]).toBe(to);
    expect(localDateAt(from, zone)).toBe(day);
    expect(localDateAt(to - 1, zone)).toBe(day);
  });
}

test("dates that do not exist are refused; a date's start rolls over like Date.UTC", () => {
  expect(parseLocalDate("2026-02-29")).toBeNull();
  expect(parseLocalDate("2028-02-29")).toEqual({ y: 2028, m: 2, d: 29 });
  expect(parseLocalDate("26-02-01")).toBeNull();
  expect(startOfLocalDate({ y: 2026, m: 1, d: 32 }, "UTC")).toBe(Date.parse("2026-02-01T00:00:00Z"));
});
