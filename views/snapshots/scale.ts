/**
 * Axis arithmetic for the snapshot line chart: "nice" ticks (1, 2, 2.5, 5 × 10^k) that cover the
 * data, start at zero for non-negative series (a chart of counts that starts at 37 exaggerates),
 * and labels short enough for an axis ("1.2K", "3M", "0.25").
 */
export type Ticks = { lo: number; hi: number; step: number; values: number[] };

const STEPS = [1, 2, 2.5, 5, 10];

/** Ticks covering [min, max] with about `target` intervals. */
export function niceTicks(min: number, max: number, target = 4): Ticks {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceTicks(0, 1, target);
  if (min > max) [min, max] = [max, min];
  if (min >= 0) min = 0;
  else if (max <= 0) max = 0;
  // All equal (or a span below float sense): an axis of one unit rather than a zero step.
  if (!(max - min > 1e-12)) max = min + 1;
  const raw = (max - min) / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = STEPS.map((s) => s * magnitude).find((s) => s >= raw - 1e-12 * magnitude) ?? 10 * magnitude;
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const values: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9; i++) values.push(round(lo + i * step, step));
  return { lo, hi, step, values };
}

// Removes float noise (0.30000000000000004) at the step's precision.
function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(v.toFixed(Math.min(digits, 12)));
}

const COMPACT = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** An axis label: compact from a thousand up, otherwise at most 2 decimals. */
export function axisLabel(v: number): string {
  if (Math.abs(v) >= 1000) return COMPACT.format(v);
  return new Intl.NumberFormat("en-US", { maximumFractionDigits: Math.abs(v) < 1 && v !== 0 ? 2 : 1 }).format(v);
}

/** About `count` evenly spread indices of n buckets, always the first and the last. */
export function tickIndices(n: number, count: number): number[] {
  if (n <= 0) return [];
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.round((i * (n - 1)) / (count - 1)));
  return [...out];
}
