import type { Database } from "bun:sqlite";
import { bucketStarts } from "../lib/time/calendar";
import { localDateAt } from "../lib/time/dates";
import { isValidZone } from "../lib/time/zone";
import { firstSeen, userBuckets, userDaysInOrder } from "../query/events/insight-reads";
import { DayCalendar } from "../query/events/days";
import { invalid, parseWith, resolveFilter, type ResolvedFilter } from "../query/events/parse";
import { RetentionSchema } from "./input";

/**
 * Retention cohorts and churn (seed 004 §7). A user's cohort is the period (day, week from
 * Monday, or month, in the zone) of their first-ever `startEvent` (any event when absent), for
 * cohorts starting inside the range. `retained[k]` counts the cohort's users with a
 * `returnEvent` (any event when absent) in the k-th period after it (`retained[0]` is the
 * cohort); `churned[k]` those retained in period k − 1 and not in k. Periods past the range's
 * end are not reported (the triangle).
 */
export type Cohort = { cohort: string; users: number; retained: number[]; rates: number[]; churned: number[] };
export type Retention = { period: "day" | "week" | "month"; timezone: string; cohorts: Cohort[] };

export function retention(db: { $client: Database }, product: { id: string; timezone: string }, input: unknown, now: number): Retention {
  const q = parseWith(RetentionSchema, input);
  const zone = q.timezone ?? product.timezone;
  if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"`);
  const period = q.period ?? "week";
  const names = (x: string | string[] | undefined) => (x === undefined ? null : Array.isArray(x) ? x : [x]);
  const f = resolveFilter({ timeRange: q.filter?.timeRange, event: q.returnEvent }, zone, now, "filter");
  const starts = bucketStarts(zone, period, f.from, f.to);
  if (!starts.length) return { period, timezone: zone, cohorts: [] };
  const n = starts.length;
  const indexOf = (t: number) => {
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const members =
    (!q.startEvent && !q.returnEvent && fromUserDays(db.$client, product.id, zone, f, starts, indexOf)) ||
    fromEvents(db.$client, product.id, f, starts, indexOf, names(q.startEvent));
  const { cohortOf, sizes, active } = members;
  const cohorts: Cohort[] = [];
  for (let i = 0; i < n; i++) {
    if (!sizes[i]) continue;
    const periods = n - i;
    const retained = new Array<number>(periods).fill(0);
    const churned = new Array<number>(periods).fill(0);
    retained[0] = sizes[i]!;
    for (const [u, c] of cohortOf) {
      if (c !== i) continue;
      const s = active.get(u);
      for (let k = 1; k < periods; k++) {
        const now = s?.has(k) ?? false;
        const before = k === 1 || (s?.has(k - 1) ?? false);
        if (now) retained[k]!++;
        else if (before) churned[k]!++;
      }
    }
    cohorts.push({ cohort: localDateAt(starts[i]!, zone), users: sizes[i]!, retained, rates: retained.map((r) => r / sizes[i]!), churned });
  }
  return { period, timezone: zone, cohorts };
}

/** Each cohort member's cohort index, cohort sizes, and the periods after it each member came back in. */
type Members = { cohortOf: Map<string, number>; sizes: number[]; active: Map<string, Set<number>> };

function emptyMembers(n: number): Members {
  return { cohortOf: new Map(), sizes: new Array<number>(n).fill(0), active: new Map() };
}

function cameBack(m: Members, u: string, b: number) {
  const c = m.cohortOf.get(u);
  if (c === undefined || b <= c) return;
  let s = m.active.get(u);
  if (!s) m.active.set(u, (s = new Set()));
  s.add(b - c);
}

function fromEvents(sqlite: Database, productId: string, f: ResolvedFilter, starts: number[], indexOf: (t: number) => number, startNames: string[] | null): Members {
  const m = emptyMembers(starts.length);
  for (const { u, t } of firstSeen(sqlite, productId, startNames)) {
    if (t < f.from || t >= f.to) continue;
    const i = indexOf(t);
    m.cohortOf.set(u, i);
    m.sizes[i]!++;
  }
  // Who came back in which period: only cohort members, only from their cohort's period on.
  for (const { b, u } of userBuckets(sqlite, productId, { ...f, from: starts[0]! }, starts)) cameBack(m, u, b);
  return m;
}

/**
 * The same from the user-day rows, in one pass in day order (a user's first row is their first
 * day), when they answer exactly: any event starts and returns, and the range starts and ends at
 * local midnights, so whole days fall in whole periods. Null otherwise.
 */
function fromUserDays(sqlite: Database, productId: string, zone: string, f: ResolvedFilter, starts: number[], indexOf: (t: number) => number): Members | null {
  const calendar = new DayCalendar();
  const fromDay = calendar.dayOf(zone, f.from);
  const toDay = calendar.dayOf(zone, f.to);
  if (calendar.start(zone, fromDay) !== f.from || calendar.start(zone, toDay) !== f.to) return null;
  const rows = userDaysInOrder(sqlite, productId, zone);
  if (!rows) return null;
  const m = emptyMembers(starts.length);
  const firstDay = calendar.dayOf(zone, starts[0]!);
  // Period index of each local day from the first period's start to the range's end.
  const bucketOf = new Int32Array(Math.max(0, toDay - firstDay));
  for (let d = firstDay; d < toDay; d++) bucketOf[d - firstDay] = indexOf(calendar.start(zone, d));
  const seen = new Set<string>();
  for (const { d, u } of rows) {
    if (d >= toDay) break;
    if (!seen.has(u)) {
      seen.add(u);
      if (d >= fromDay) {
        const i = bucketOf[d - firstDay]!;
        m.cohortOf.set(u, i);
        m.sizes[i]!++;
      }
      continue;
    }
    if (d >= firstDay) cameBack(m, u, bucketOf[d - firstDay]!);
  }
  return m;
}
