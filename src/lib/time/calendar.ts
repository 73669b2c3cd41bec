import { offsetAt, offsetSpan, transitionsIn } from "./zone";

/** The calendar units buckets come in (the query engine's granularities). */
export type Granularity = "minute" | "hour" | "day" | "week" | "month";

/**
 * Calendar arithmetic in a time zone: bucket boundaries, `t` labels and `range` shorthands.
 *
 * A bucket is half-open [start, next start). Minute and hour buckets start where the local clock
 * shows :00 (or where the offset changes): in New York's autumn the two local 01:00 hours are two
 * buckets, `01:00-04:00` and `01:00-05:00`; in Kolkata hours start at UTC :30. Day, week (Monday)
 * and month buckets start at local midnight; when midnight is skipped by a DST gap the day starts
 * at the first instant after the gap, and a repeated midnight counts from its first occurrence.
 */
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
export const UNIT_MS = { minute: MINUTE, hour: HOUR } as const;

const mod = (n: number, m: number) => ((n % m) + m) % m;

/** Local wall-clock fields of an instant. */
export type Wall = { y: number; mo: number; d: number; h: number; mi: number; s: number; ms: number };

export function wallAt(zone: string, ms: number): Wall {
  const local = new Date(ms + offsetAt(zone, ms));
  return {
    y: local.getUTCFullYear(),
    mo: local.getUTCMonth() + 1,
    d: local.getUTCDate(),
    h: local.getUTCHours(),
    mi: local.getUTCMinutes(),
    s: local.getUTCSeconds(),
    ms: local.getUTCMilliseconds(),
  };
}

/** Wall-clock fields as if they were UTC (a "local ms"); out-of-range fields roll over like Date.UTC. */
export function wallMs(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/**
 * The instant the zone's clock shows `local` (a wallMs): the earliest one when it shows it twice,
 * the end of the gap when it never does (a DST jump over that time).
 */
export function instantOfWall(zone: string, local: number): number {
  const near = transitionsIn(zone, local - 2 * DAY, local + 2 * DAY);
  const offsets = new Set([offsetAt(zone, local - 2 * DAY), offsetAt(zone, local), offsetAt(zone, local + 2 * DAY)]);
  for (const t of near) offsets.add(offsetAt(zone, t)).add(offsetAt(zone, t - 1));
  let best = Infinity;
  for (const off of offsets) {
    const u = local - off;
    if (offsetAt(zone, u) === off && u < best) best = u;
  }
  if (best !== Infinity) return best;
  for (const t of near) {
    if (t + offsetAt(zone, t - 1) <= local && local < t + offsetAt(zone, t)) return t;
  }
  return local - offsetAt(zone, local);
}

/** `YYYY-MM-DDTHH:MM:SS±HH:MM` (with `.mmm` when `withMs` and not zero) in the zone. */
export function formatInZone(zone: string, ms: number, withMs = false): string {
  const off = offsetAt(zone, ms);
  const iso = new Date(ms + off).toISOString();
  const frac = withMs && mod(ms, 1000) !== 0 ? iso.slice(19, 23) : "";
  const minutes = Math.trunc(Math.abs(off) / MINUTE);
  const sign = off < 0 ? "-" : "+";
  return `${iso.slice(0, 19)}${frac}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

const pad = (n: number) => String(n).padStart(2, "0");

const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => pad(i));
// 10000-01-01T00:00:00Z: past it (and before 1970) toISOString's layout changes; those take formatInZone.
const ISO_PLAIN_END = 253_402_300_800_000;

/**
 * formatInZone for many instants (bucket labels), with equal output: the zone's offset is looked
 * up once per span it holds, the date part built once per local day, the clock part from a table.
 */
export function formatAllInZone(zone: string, list: number[]): string[] {
  const out = new Array<string>(list.length);
  let span = { offset: 0, from: Infinity, until: -Infinity };
  let day = NaN, prefix = "", suffixOf = NaN, suffix = "";
  for (let i = 0; i < list.length; i++) {
    const ms = list[i]!;
    if (!(ms >= span.from && ms < span.until)) span = offsetSpan(zone, ms);
    const off = span.offset;
    const local = ms + off;
    if (!(local >= 0 && local < ISO_PLAIN_END) || off % MINUTE !== 0) {
      out[i] = formatInZone(zone, ms);
      continue;
    }
    const d = Math.floor(local / DAY);
    if (d !== day) (day = d), (prefix = new Date(d * DAY).toISOString().slice(0, 11));
    if (off !== suffixOf) (suffixOf = off), (suffix = formatInZone(zone, ms).slice(19));
    const sec = Math.floor((local - d * DAY) / 1000);
    out[i] = prefix + TWO_DIGITS[Math.floor(sec / 3600)]! + ":" + TWO_DIGITS[Math.floor(sec / 60) % 60]! + ":" + TWO_DIGITS[sec % 60]! + suffix;
  }
  return out;
}

/** How many buckets [from, to) needs at most; checked before any are made. */
export function estimateBuckets(granularity: Granularity, from: number, to: number): number {
  const span = Math.max(0, to - from);
  const width = { minute: MINUTE, hour: HOUR, day: DAY, week: 7 * DAY, month: 28 * DAY }[granularity];
  return Math.ceil(span / width) + 2;
}

/** Starts of the buckets covering [from, to): the first is at or before `from`; all are < `to`. */
export function bucketStarts(zone: string, granularity: Granularity, from: number, to: number): number[] {
  if (to <= from) return [];
  return granularity === "minute" || granularity === "hour" ? clockStarts(zone, UNIT_MS[granularity], from, to) : calendarStarts(zone, granularity, from, to);
}

function clockStarts(zone: string, unit: number, from: number, to: number): number[] {
  // Aligned under the offset at `from`, unless the offset changed since then (a transition starts a bucket).
  let first = from - mod(from + offsetAt(zone, from), unit);
  const before = transitionsIn(zone, first, from);
  if (before.length) first = before[before.length - 1]!;
  const transitions = transitionsIn(zone, first, to);
  const out = [first];
  let next = 0; // index into transitions
  let span = offsetSpan(zone, first); // offsetAt, looked up once per span the offset holds
  for (let cur = first; ; ) {
    if (!(cur >= span.from && cur < span.until)) span = offsetSpan(zone, cur);
    const aligned = cur - mod(cur + span.offset, unit) + unit;
    while (next < transitions.length && transitions[next]! <= cur) next++;
    const t = next < transitions.length ? transitions[next]! : Infinity;
    cur = Math.min(aligned, t);
    if (cur >= to) return out;
    out.push(cur);
  }
}

type Day = { y: number; mo: number; d: number };

function calendarStarts(zone: string, granularity: "day" | "week" | "month", from: number, to: number): number[] {
  const w = wallAt(zone, from);
  let day: Day = { y: w.y, mo: w.mo, d: granularity === "month" ? 1 : w.d };
  if (granularity === "week") day = addDays(day, -mod(weekday(day) - 1, 7)); // back to Monday
  const step = (x: Day): Day => (granularity === "day" ? addDays(x, 1) : granularity === "week" ? addDays(x, 7) : { y: x.y, mo: x.mo + 1, d: 1 });
  let start = dayStart(zone, day);
  // A repeated midnight can put `from` past the next start already: move on to the bucket holding it.
  for (let n = step(day), s = dayStart(zone, n); s <= from; n = step(n), s = dayStart(zone, n)) (day = n), (start = s);
  const out = [start];
  for (let n = step(day); ; n = step(n)) {
    const s = dayStart(zone, n);
    if (s >= to) return out;
    if (s > out[out.length - 1]!) out.push(s);
  }
}

/** The instant a local calendar day starts. */
const dayStart = (zone: string, day: Day) => instantOfWall(zone, wallMs(day.y, day.mo, day.d));

function addDays(day: Day, n: number): Day {
  const t = new Date(wallMs(day.y, day.mo, day.d + n));
  return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

/** ISO weekday, Monday = 1 … Sunday = 7. */
const weekday = (day: Day) => new Date(wallMs(day.y, day.mo, day.d)).getUTCDay() || 7;

/**
 * `range` shorthand → [from, to): to = now; from = to − N units, calendar units counted on the
 * zone's clock (so "7d" across a DST change is 7 local days, 167 or 169 hours). A month back from
 * 31 March is the last day of February.
 */
export function resolveRange(zone: string, n: number, unit: "h" | "d" | "w" | "mo" | "y", now: number): { from: number; to: number } {
  if (unit === "h") return { from: now - n * HOUR, to: now };
  const w = wallAt(zone, now);
  let local: number;
  if (unit === "d" || unit === "w") local = wallMs(w.y, w.mo, w.d - n * (unit === "w" ? 7 : 1), w.h, w.mi, w.s, w.ms);
  else {
    const months = n * (unit === "y" ? 12 : 1);
    const firstOfMonth = new Date(wallMs(w.y, w.mo - months, 1));
    const y = firstOfMonth.getUTCFullYear();
    const mo = firstOfMonth.getUTCMonth() + 1;
    const lastDay = new Date(wallMs(y, mo + 1, 0)).getUTCDate();
    local = wallMs(y, mo, Math.min(w.d, lastDay), w.h, w.mi, w.s, w.ms);
  }
  return { from: instantOfWall(zone, local), to: now };
}
