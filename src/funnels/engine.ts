/**
 * The funnel engine (DESIGN.md "Goals and funnels"): one pass over each visitor's or user's
 * events in time order, counted like ClickHouse's `windowFunnel` — for each entity the longest
 * chain of steps, each strictly after the previous, all within `window` of a first-step event that
 * falls inside the range. Web and product events both reach it as the same stream of matches.
 *
 * Why one pass is enough: let S[k] be the latest first-step time among the chains that have
 * reached step k so far. A later chain is never worse (more of its window is left), so extending
 * S[k-1] is the best any chain can do; and `t − S[k-1]` is the shortest time to convert into step k
 * that ends at this event. Events with the same timestamp are applied against the state before
 * their group, so no chain uses two events of one instant ("strictly after").
 */

import { timeHistogram, type TimeBucket } from "./time-buckets";

/** One event that matched at least one step: bit i of `mask` is set when it matches step i. */
export type StepMatch = { ts: number; mask: number };

export type EntityResult = {
  /** Steps reached, 0 when no first-step event fell in the range. */
  level: number;
  /** Shortest time from a first step to step k, per k ≥ 1 reached (ms); index 0 is 0. */
  fastestMs: number[];
};

export type FunnelWindow = { from: number; to: number; windowMs: number };

/** `matches` sorted by ts. Steps are 0-based; `steps` is their count (2–8). */
export function walkEntity(matches: StepMatch[], steps: number, w: FunnelWindow): EntityResult {
  const start = new Array<number>(steps).fill(-Infinity); // S[k]; -Infinity = not reached
  const fastest = new Array<number>(steps).fill(Infinity);
  // One event's updates, read from `before` and written to `after`. For a lone event of its
  // instant (the common case) both are `start`: walking the steps downwards reads each S[k-1]
  // before it can change, the same as reading the state before the instant, without a copy.
  const apply = (mask: number, ts: number, before: number[], after: number[]) => {
    for (let k = steps - 1; k >= 1; k--) {
      if (!(mask & (1 << k))) continue;
      const s = before[k - 1]!;
      if (s === -Infinity || ts - s > w.windowMs) continue;
      if (s > after[k]!) after[k] = s;
      if (ts - s < fastest[k]!) fastest[k] = ts - s;
    }
    if (mask & 1 && ts >= w.from && ts < w.to) after[0] = ts;
  };
  let i = 0;
  while (i < matches.length) {
    const ts = matches[i]!.ts;
    let j = i;
    while (j < matches.length && matches[j]!.ts === ts) j++;
    if (j === i + 1) apply(matches[i]!.mask, ts, start, start);
    else {
      const next = start.slice();
      for (let m = i; m < j; m++) apply(matches[m]!.mask, ts, start, next);
      for (let k = 0; k < steps; k++) start[k] = next[k]!;
    }
    i = j;
  }
  // S[k] only ever moves from -Infinity to a time, so the level is the highest step reached.
  let level = 0;
  for (let k = 0; k < steps; k++) if (start[k]! !== -Infinity) level = k + 1;
  const fastestMs = fastest.slice(0, level).map((f, k) => (k === 0 ? 0 : f));
  return { level, fastestMs };
}

export type StepSummary = {
  /** Entities that reached this step (all before it in order). */
  visitors: number;
  /** Percent of step 1's entities, one decimal as Plausible rounds percentages. */
  conversion_rate: number;
  /** Entities lost since the previous step (0 for the first). */
  drop_off: number;
  /** Median over the entities that reached it of their fastest time from step 1 (seconds); null for step 1 or when none did. */
  median_seconds_to_convert: number | null;
  /** The distribution of the same times (src/funnels/time-buckets.ts); every bucket 0 for step 1. */
  time_to_convert: TimeBucket[];
};

/** Folds entity results into per-step counts and medians. */
export function summarize(results: EntityResult[], steps: number): StepSummary[] {
  const reached = new Array<number>(steps).fill(0);
  const times: number[][] = Array.from({ length: steps }, () => []);
  for (const r of results) {
    for (let k = 0; k < r.level; k++) {
      reached[k]!++;
      if (k > 0) times[k]!.push(r.fastestMs[k]!);
    }
  }
  return reached.map((visitors, k) => ({
    visitors,
    conversion_rate: reached[0] ? Math.round((visitors / reached[0]) * 1000) / 10 : 0,
    drop_off: k === 0 ? 0 : reached[k - 1]! - visitors,
    median_seconds_to_convert: k === 0 ? null : median(times[k]!),
    time_to_convert: timeHistogram(times[k]!),
  }));
}

/** Median in whole seconds (the mean of the two middle values for an even count), null when empty. */
export function median(ms: number[]): number | null {
  if (ms.length === 0) return null;
  const s = ms.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  const m = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return Math.round(m / 1000);
}
