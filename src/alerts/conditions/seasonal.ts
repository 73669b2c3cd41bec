import * as v from "valibot";
import { instantOfWall } from "../../lib/time/calendar";
import { offsetAt } from "../../lib/time/zone";
import type { ConditionKind } from "./kind";
import { DIRECTIONS, type Direction } from "./samples";
import { deviation } from "./zscore";

/**
 * `{ anomaly: "seasonal", threshold: 3, weeks: 4, direction? }`: an hour-of-week baseline. The
 * window is compared with the same window at the same local time of week in each of the last
 * `weeks` weeks (Monday 09:00–10:00 against the last four Mondays 09:00–10:00, in the query's time
 * zone, so DST does not shift it), firing at `threshold` standard deviations. Needs 2 weeks with data.
 */
type Params = { anomaly: "seasonal"; threshold: number; weeks: number; direction?: Direction };
const WEEK = 7 * 86_400_000;

/** The boundary `k` weeks before `at`, at the same local wall time. */
export function weeksBefore(zone: string, at: number, k: number): number {
  return instantOfWall(zone, at + offsetAt(zone, at) - k * WEEK);
}

export const seasonal: ConditionKind<Params> = {
  tag: "seasonal",
  label: "Seasonal (hour-of-week) baseline",
  schema: v.strictObject({
    anomaly: v.literal("seasonal"),
    threshold: v.pipe(v.number("threshold is a number of standard deviations"), v.minValue(0.1, "threshold is at least 0.1"), v.maxValue(100, "threshold is at most 100")),
    weeks: v.pipe(v.number("weeks is a number"), v.integer("weeks is a whole number"), v.minValue(2, "weeks is at least 2"), v.maxValue(12, "weeks is at most 12")),
    direction: v.optional(v.picklist(DIRECTIONS, "direction is above, below or both")),
  }),
  check: (_p, { windowMs }) => (windowMs > WEEK ? [["window", "a seasonal rule's window is at most a week"]] : []),
  needs(p, at, windowMs, zone) {
    const out = [{ source: "main" as const, range: { from: at - windowMs, to: at } }];
    for (let k = 1; k <= p.weeks; k++) {
      const b = weeksBefore(zone, at, k);
      out.push({ source: "main", range: { from: b - windowMs, to: b } });
    }
    return out;
  },
  judge(p, j) {
    const value = j.value("main", j.at - j.windowMs, j.at);
    const base: number[] = [];
    for (let k = 1; k <= p.weeks; k++) {
      const b = weeksBefore(j.zone, j.at, k);
      const x = j.value("main", b - j.windowMs, b);
      if (x !== null) base.push(x);
    }
    if (value === null || base.length < 2) return { firing: false, value, threshold: null };
    return { value, ...deviation(value, base, p.threshold, p.direction ?? "both") };
  },
  describe: (p) => `${p.threshold}σ ${p.direction ?? "away"} from the same hour of the last ${p.weeks} weeks`,
};
