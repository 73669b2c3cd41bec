/** Small, exact statistics over plain arrays (no interpolation: a percentile is an observed value). */
export function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1]!;
}

export function latencySummary(ms: number[]) {
  return { n: ms.length, p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99), max: Math.max(...ms) };
}

export const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : NaN);
export const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);

/** 3 significant figures, with k/M for big numbers: what a table cell needs. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(x / 1e3).toPrecision(3)}k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toPrecision(3);
  if (a === 0) return "0";
  return x.toPrecision(2);
}
