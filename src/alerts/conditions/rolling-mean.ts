import * as v from "valibot";
import { parseDuration } from "../durations";
import { mean, type ConditionKind } from "./kind";
import { baselineRange, previousWindows, sampleCount } from "./samples";
import { lookbackProblems, lookbackSchema } from "./zscore";

/**
 * `{ anomaly: "rolling_mean", factor: 2, lookback: "24h" }`: fires when the window's value is
 * above factor × the mean of the (aligned, see ./samples.ts) windows in the lookback (factor > 1, a spike) or below it
 * (factor < 1, a drop). The threshold reported is factor × mean.
 */
type Params = { anomaly: "rolling_mean"; factor: number; lookback: string };

export const rollingMean: ConditionKind<Params> = {
  tag: "rolling_mean",
  label: "Rolling mean × factor",
  schema: v.strictObject({
    anomaly: v.literal("rolling_mean"),
    factor: v.pipe(
      v.number("factor is a number"),
      v.minValue(0, "factor is at least 0"),
      v.maxValue(1000, "factor is at most 1000"),
      v.check((f) => f !== 1, "factor 1 would fire on every change: use above 1 for spikes, below 1 for drops"),
    ),
    lookback: lookbackSchema,
  }),
  check: (p, { windowMs }) => lookbackProblems(p.lookback, windowMs),
  needs(p, at, windowMs) {
    const n = sampleCount(parseDuration(p.lookback)!, windowMs);
    return [
      { source: "main", range: { from: at - windowMs, to: at } },
      { source: "main", range: baselineRange(at, windowMs, n) },
    ];
  },
  judge(p, j) {
    const value = j.value("main", j.at - j.windowMs, j.at);
    const base = previousWindows(j, sampleCount(parseDuration(p.lookback)!, j.windowMs));
    if (value === null || !base.length) return { firing: false, value, threshold: null };
    const bound = p.factor * mean(base);
    return { firing: p.factor > 1 ? value > bound : value < bound, value, threshold: bound };
  },
  describe: (p) => `${p.factor > 1 ? "above" : "below"} ${p.factor}× the mean of the last ${p.lookback}`,
};
