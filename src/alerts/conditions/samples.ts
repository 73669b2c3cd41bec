import type { Range } from "../minute-data";
import type { Judge } from "./kind";

/**
 * The baseline of the z-score and rolling-mean kinds: the `n` whole windows before the current
 * one, aligned on multiples of the window (UTC): for a 1 h window with a 7 d lookback, the 168
 * clock hours that ended before the current window began. Aligned windows are what the hour
 * rollups hold, so a week of baseline reads 168 hour buckets instead of 10 080 minutes; at a
 * boundary on the window's grid they are exactly the n windows just before. Windows without data
 * (null) are left out.
 */
export const sampleCount = (lookbackMs: number, windowMs: number) => Math.floor(lookbackMs / windowMs);

/** The end of the last aligned window that ends at or before the current window's start. */
export const baselineEnd = (at: number, windowMs: number) => Math.floor((at - windowMs) / windowMs) * windowMs;

export function baselineRange(at: number, windowMs: number, n: number): Range {
  const end = baselineEnd(at, windowMs);
  return { from: end - n * windowMs, to: end, ...(windowMs % 3_600_000 === 0 ? { unit: "hour" as const } : {}) };
}

export function previousWindows(j: Judge, n: number): number[] {
  const end = baselineEnd(j.at, j.windowMs);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const v = j.value("main", end - (k + 1) * j.windowMs, end - k * j.windowMs);
    if (v !== null) out.push(v);
  }
  return out;
}

export const DIRECTIONS = ["above", "below", "both"] as const;
export type Direction = (typeof DIRECTIONS)[number];
