import type { Judge } from "./kind";

/**
 * The baseline of the z-score and rolling-mean kinds: the values of the `n` whole windows just
 * before the current one (a 1 h window with a 7 d lookback: the 168 hours before it). Windows
 * without data (null) are left out.
 */
export const sampleCount = (lookbackMs: number, windowMs: number) => Math.floor(lookbackMs / windowMs);

export function previousWindows(j: Judge, n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) {
    const v = j.value("main", j.at - (k + 1) * j.windowMs, j.at - k * j.windowMs);
    if (v !== null) out.push(v);
  }
  return out;
}

export const DIRECTIONS = ["above", "below", "both"] as const;
export type Direction = (typeof DIRECTIONS)[number];
