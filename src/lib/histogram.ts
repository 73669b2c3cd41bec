/**
 * A latency histogram as plain data (it crosses from the writer thread in each "done" message,
 * so it is numbers, not a class). Buckets are Prometheus' upper bounds in seconds; `counts[i]`
 * holds the observations in (bounds[i-1], bounds[i]], the last slot those above every bound.
 */
export const LATENCY_BOUNDS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

export type Histogram = { counts: number[]; sum: number; count: number };

export const newHistogram = (): Histogram => ({ counts: new Array(LATENCY_BOUNDS_S.length + 1).fill(0), sum: 0, count: 0 });

export function observe(h: Histogram, seconds: number) {
  let i = 0;
  while (i < LATENCY_BOUNDS_S.length && seconds > LATENCY_BOUNDS_S[i]!) i++;
  h.counts[i]!++;
  h.sum += seconds;
  h.count++;
}
