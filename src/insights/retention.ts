import type { Database } from "bun:sqlite";
import { bucketStarts } from "../lib/time/calendar";
import { localDateAt } from "../lib/time/dates";
import { isValidZone } from "../lib/time/zone";
import { firstSeen, userBuckets } from "../query/events/insight-reads";
import { invalid, parseWith, resolveFilter } from "../query/events/parse";
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
  const cohortOf = new Map<string, number>();
  const sizes = new Array<number>(n).fill(0);
  for (const { u, t } of firstSeen(db.$client, product.id, names(q.startEvent))) {
    if (t < f.from || t >= f.to) continue;
    const i = indexOf(t);
    cohortOf.set(u, i);
    sizes[i]!++;
  }
  // Who came back in which period: only cohort members, only from their cohort's period on.
  const active = new Map<string, Set<number>>();
  for (const { b, u } of userBuckets(db.$client, product.id, { ...f, from: starts[0]! }, starts)) {
    const c = cohortOf.get(u);
    if (c === undefined || b <= c) continue;
    let s = active.get(u);
    if (!s) active.set(u, (s = new Set()));
    s.add(b - c);
  }
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
