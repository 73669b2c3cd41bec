import { expect, test } from "bun:test";
import { bucketStarts, formatInZone, resolveRange } from "../../src/lib/time/calendar";
import { planSegments } from "../../src/query/plan";
import type { Granularity } from "../../src/query/types";

/** Bucket labels a user sees, spelled out for the cases people ask about. */
const labels = (zone: string, g: Granularity, from: string, to: string) => bucketStarts(zone, g, Date.parse(from), Date.parse(to)).map((t) => formatInZone(zone, t));

test("New York: the spring hour 02:00 does not exist, the autumn 01:00 comes twice (two buckets)", () => {
  expect(labels("America/New_York", "hour", "2026-03-08T05:00:00Z", "2026-03-08T09:00:00Z")).toEqual([
    "2026-03-08T00:00:00-05:00",
    "2026-03-08T01:00:00-05:00",
    "2026-03-08T03:00:00-04:00",
    "2026-03-08T04:00:00-04:00",
  ]);
  expect(labels("America/New_York", "hour", "2026-11-01T04:00:00Z", "2026-11-01T08:00:00Z")).toEqual([
    "2026-11-01T00:00:00-04:00",
    "2026-11-01T01:00:00-04:00",
    "2026-11-01T01:00:00-05:00",
    "2026-11-01T02:00:00-05:00",
  ]);
});

test("New York days start at local midnight across both switches (23 h and 25 h days)", () => {
  const starts = bucketStarts("America/New_York", "day", Date.parse("2026-03-07T05:00:00Z"), Date.parse("2026-03-10T04:00:00Z"));
  expect(starts.map((t) => formatInZone("America/New_York", t))).toEqual(["2026-03-07T00:00:00-05:00", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"]);
  expect((starts[2]! - starts[1]!) / 3_600_000).toBe(23);
  const autumn = bucketStarts("America/New_York", "day", Date.parse("2026-11-01T04:00:00Z"), Date.parse("2026-11-03T05:00:00Z"));
  expect((autumn[1]! - autumn[0]!) / 3_600_000).toBe(25);
});

test("Kolkata (+05:30) hours start at UTC :30; Lord Howe's half-hour DST makes a 30-minute bucket", () => {
  expect(labels("Asia/Kolkata", "hour", "2026-01-01T00:30:00Z", "2026-01-01T02:30:00Z")).toEqual(["2026-01-01T06:00:00+05:30", "2026-01-01T07:00:00+05:30"]);
  expect(bucketStarts("Asia/Kolkata", "hour", Date.parse("2026-01-01T00:30:00Z"), Date.parse("2026-01-01T01:00:00Z"))).toEqual([Date.parse("2026-01-01T00:30:00Z")]);
  // 2026-04-05 02:00 (+11:00) → 01:30 (+10:30): local 01:30–02:00 is lived twice.
  expect(labels("Australia/Lord_Howe", "hour", "2026-04-04T14:00:00Z", "2026-04-04T16:30:00Z")).toEqual([
    "2026-04-05T01:00:00+11:00",
    "2026-04-05T01:30:00+10:30",
    "2026-04-05T02:00:00+10:30",
  ]);
});

test("a midnight skipped by DST: the day starts when the clock jumps (Santiago, 6 Sep 2026)", () => {
  expect(labels("America/Santiago", "day", "2026-09-05T04:00:00Z", "2026-09-07T12:00:00Z")).toEqual([
    "2026-09-05T00:00:00-04:00",
    "2026-09-06T01:00:00-03:00",
    "2026-09-07T00:00:00-03:00",
  ]);
});

test("weeks start on Monday and months on the 1st, at local midnight", () => {
  expect(labels("Europe/Berlin", "week", "2026-03-25T12:00:00Z", "2026-04-07T00:00:00Z")).toEqual([
    "2026-03-23T00:00:00+01:00",
    "2026-03-30T00:00:00+02:00",
    "2026-04-06T00:00:00+02:00",
  ]);
  expect(labels("Europe/Berlin", "month", "2026-02-15T00:00:00Z", "2026-04-01T00:00:00Z")).toEqual([
    "2026-02-01T00:00:00+01:00",
    "2026-03-01T00:00:00+01:00",
    "2026-04-01T00:00:00+02:00", // 1 April starts at 22:00Z on 31 March; `to` (00:00Z) is inside it
  ]);
  expect(labels("UTC", "month", "2025-12-31T23:59:59Z", "2026-01-01T00:00:01Z")).toEqual(["2025-12-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"]);
});

test("ranges count calendar units on the zone's clock", () => {
  const ny = resolveRange("America/New_York", 7, "d", Date.parse("2026-03-10T12:00:00Z"));
  expect(formatInZone("America/New_York", ny.from)).toBe("2026-03-03T08:00:00-05:00") // 08:00 EDT on 10 March, 08:00 EST a week before;
  expect((ny.to - ny.from) / 3_600_000).toBe(167); // 7 local days across the spring switch
  expect(formatInZone("UTC", resolveRange("UTC", 1, "mo", Date.parse("2026-03-31T10:00:00Z")).from)).toBe("2026-02-28T10:00:00+00:00");
  expect(resolveRange("UTC", 24, "h", 1_000_000_000_000)).toEqual({ from: 1_000_000_000_000 - 24 * 3_600_000, to: 1_000_000_000_000 });
  expect(formatInZone("Europe/Berlin", resolveRange("Europe/Berlin", 2, "w", Date.parse("2026-04-01T10:00:00Z")).from)).toBe("2026-03-18T12:00:00+01:00");
});

test("the plan: UTC days read day rows; Berlin days read hour rows; Kolkata days add minute rows before the cut, raw points after; ragged edges read raw points", () => {
  const day = 86_400_000;
  const none = { minuteRowsBefore: -Infinity };
  const utc = bucketStarts("UTC", "day", Date.parse("2026-01-01T00:00:00Z"), Date.parse("2026-01-31T00:00:00Z"));
  expect(planSegments([...utc, Date.parse("2026-01-31T00:00:00Z")], none)).toEqual([{ source: "rollup_1d", from: utc[0]!, to: utc[0]! + 30 * day }]);
  const from = Date.parse("2026-01-01T00:00:00+01:00");
  const berlin = bucketStarts("Europe/Berlin", "day", from, from + 30 * day);
  expect(planSegments([...berlin, from + 30 * day], none).map((s) => s.source)).toEqual(["rollup_1h"]);
  const kFrom = Date.parse("2026-01-01T00:00:00+05:30");
  const kolkata = [...bucketStarts("Asia/Kolkata", "day", kFrom, kFrom + 2 * day), kFrom + 2 * day];
  expect(new Set(planSegments(kolkata, { minuteRowsBefore: Infinity }).map((s) => s.source))).toEqual(new Set(["rollup_1h", "rollup_1m"]));
  expect(new Set(planSegments(kolkata, none).map((s) => s.source))).toEqual(new Set(["rollup_1h", "points"]));
  // Retention cut raw points at 2 January 00:00Z: the first local day's half hours come from minute rows, the second's from raw points.
  const cut = Date.parse("2026-01-02T00:00:00Z");
  const cutPlan = planSegments(kolkata, { minuteRowsBefore: cut });
  expect(cutPlan.filter((s) => s.source === "rollup_1m").every((s) => s.to <= cut)).toBe(true);
  expect(cutPlan.filter((s) => s.source === "points").every((s) => s.from >= cut)).toBe(true);
  expect(cutPlan.filter((s) => s.source !== "rollup_1h").map((s) => s.source)).toEqual(["rollup_1m", "rollup_1m", "points"]);
  const ragged = [Date.parse("2026-01-01T10:00:30.5Z"), Date.parse("2026-01-03T00:00:00Z")];
  expect(planSegments(ragged, { minuteRowsBefore: Infinity })).toEqual([
    { source: "points", from: Date.parse("2026-01-01T10:00:30.5Z"), to: Date.parse("2026-01-01T10:01:00Z") },
    { source: "rollup_1m", from: Date.parse("2026-01-01T10:01:00Z"), to: Date.parse("2026-01-01T11:00:00Z") },
    { source: "rollup_1h", from: Date.parse("2026-01-01T11:00:00Z"), to: Date.parse("2026-01-02T00:00:00Z") },
    { source: "rollup_1d", from: Date.parse("2026-01-02T00:00:00Z"), to: Date.parse("2026-01-03T00:00:00Z") },
  ]);
  expect(planSegments(ragged, none)).toEqual([
    { source: "points", from: Date.parse("2026-01-01T10:00:30.5Z"), to: Date.parse("2026-01-01T11:00:00Z") },
    { source: "rollup_1h", from: Date.parse("2026-01-01T11:00:00Z"), to: Date.parse("2026-01-02T00:00:00Z") },
    { source: "rollup_1d", from: Date.parse("2026-01-02T00:00:00Z"), to: Date.parse("2026-01-03T00:00:00Z") },
  ]);
});
