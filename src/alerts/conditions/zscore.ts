import * as v from "valibot";
import { DURATION_HINT, parseDuration } from "../durations";
import { mean, stdDev, type ConditionKind } from "./kind";
import { baselineRange, DIRECTIONS, previousWindows, sampleCount, type Direction } from "./samples";

/**
 * `{ anomaly: "zscore", threshold: 3, lookback: "7d", direction?: "above" | "below" | "both" }`:
 * fires when the window's value is `threshold` sample standard deviations or more from the mean
 * of the (aligned, see ./samples.ts) windows in the lookback. Needs 3 windows with data; a flat baseline (σ = 0) fires on any
 * change in the chosen direction. The threshold reported is the bound that was crossed (μ ± kσ).
 */
type Params = { anomaly: "zscore"; threshold: number; lookback: string; direction?: Direction };
const MIN_SAMPLES = 3;
export const MAX_LOOKBACK_MS = 31 * 86_400_000;

export const lookbackSchema = v.pipe(
  v.string(`lookback is ${DURATION_HINT}`),
  v.check((s) => parseDuration(s) !== null, `lookback is ${DURATION_HINT}`),
  v.check((s) => (parseDuration(s) ?? 0) <= MAX_LOOKBACK_MS, "lookback is at most 31 days"),
);

export function lookbackProblems(lookback: string, windowMs: number): [string, string][] {
  const ms = parseDuration(lookback)!;
  return sampleCount(ms, windowMs) < MIN_SAMPLES ? [["condition.lookback", `lookback must hold at least ${MIN_SAMPLES} windows (it holds ${sampleCount(ms, windowMs)})`]] : [];
}

export function deviation(value: number, base: number[], k: number, direction: Direction): { firing: boolean; threshold: number } {
  const mu = mean(base);
  const sigma = stdDev(base);
  const upper = mu + k * sigma;
  const lower = mu - k * sigma;
  const up = sigma === 0 ? value > mu : value >= upper;
  const down = sigma === 0 ? value < mu : value <= lower;
  if (direction === "above") return { firing: up, threshold: upper };
  if (direction === "below") return { firing: down, threshold: lower };
  return { firing: up || down, threshold: value < mu ? lower : upper };
}

export const zscore: ConditionKind<Params> = {
  tag: "zscore",
  label: "Z-score anomaly",
  schema: v.strictObject({
    anomaly: v.literal("zscore"),
    threshold: v.pipe(v.number("threshold is a number of standard deviations"), v.minValue(0.1, "threshold is at least 0.1"), v.maxValue(100, "threshold is at most 100")),
    lookback: lookbackSchema,
    direction: v.optional(v.picklist(DIRECTIONS, "direction is above, below or both")),
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
    if (value === null || base.length < MIN_SAMPLES) return { firing: false, value, threshold: null };
    return { value, ...deviation(value, base, p.threshold, p.direction ?? "both") };
  },
  describe: (p) => `${p.threshold}σ ${p.direction ?? "away"} from the last ${p.lookback}`,
};
