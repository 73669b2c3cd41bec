import { expect, test } from "bun:test";
import fc from "fast-check";
import { bucketStarts, formatAllInZone, formatInZone } from "../../src/lib/time/calendar";
import type { Granularity } from "../../src/query/types";

/**
 * Bucket labels are built by formatAllInZone (cached offsets, arithmetic clock fields); they must
 * read exactly what formatInZone says for each instant, across DST, :30/:45 zones, LMT offsets
 * with seconds (old years) and times before 1970.
 */
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "America/St_Johns", "Africa/Monrovia", "Pacific/Chatham"];
const GRANS: Granularity[] = ["minute", "hour", "day", "week", "month"];
const SPAN: Record<Granularity, number> = { minute: 6 * 3_600_000, hour: 40 * 86_400_000, day: 400 * 86_400_000, week: 800 * 86_400_000, month: 3000 * 86_400_000 };

test("formatAllInZone equals formatInZone label by label", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ZONES),
      fc.constantFrom(...GRANS),
      fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2100, 0, 1) }),
      (zone, g, from) => {
        const starts = bucketStarts(zone, g, from, from + SPAN[g]);
        expect(formatAllInZone(zone, starts)).toEqual(starts.map((t) => formatInZone(zone, t)));
      },
    ),
    { numRuns: 150 },
  );
});

test("formatAllInZone equals formatInZone on scattered instants, any order", () => {
  fc.assert(
    fc.property(fc.constantFrom(...ZONES), fc.array(fc.integer({ min: -5e12, max: 5e12 }), { maxLength: 50 }), (zone, list) => {
      expect(formatAllInZone(zone, list)).toEqual(list.map((t) => formatInZone(zone, t)));
    }),
    { numRuns: 200 },
  );
});
