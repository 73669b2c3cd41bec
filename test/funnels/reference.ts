import type { FunnelWindow, StepMatch } from "../../src/funnels/engine";

/**
 * Naive reference: every chain of events (each strictly later than the one before, the first a
 * first-step event inside the range, all within the window of it) enumerated by brute force.
 */
export function reference(matches: StepMatch[], steps: number, w: FunnelWindow) {
  let level = 0;
  const fastest = new Array<number>(steps).fill(Infinity);
  const extend = (start: number, last: number, k: number) => {
    if (k > level) level = k;
    if (k === steps) return;
    for (const m of matches) {
      if (m.ts > last && m.ts - start <= w.windowMs && m.mask & (1 << k)) {
        if (m.ts - start < fastest[k]!) fastest[k] = m.ts - start;
        extend(start, m.ts, k + 1);
      }
    }
  };
  for (const m of matches) if (m.mask & 1 && m.ts >= w.from && m.ts < w.to) extend(m.ts, m.ts, 1);
  return { level, fastestMs: fastest.slice(0, level).map((f, k) => (k === 0 ? 0 : f)) };
}

