import { describe, test, expect } from "bun:test";
import fc from "fast-check";
import { summarize, walkEntity, type StepMatch } from "../../src/funnels/engine";
import { reference } from "./reference";
import { timeHistogram, bucketLabel } from "../../src/funnels/time-buckets";

/** Naive buckets: the edges written out, each time compared with every bucket's ends. */
const EDGES_S = [0, 10, 30, 60, 300, 900, 3600, 21600, 86400, 259200, 604800, 2592000];
function naiveHistogram(times: number[]) {
  return EDGES_S.map((from, i) => {
    const to = EDGES_S[i + 1] ?? null;
    return { from_seconds: from, to_seconds: to, visitors: times.filter((t) => t >= from * 1000 && (to === null || t < to * 1000)).length };
  });
}

const SEC = 1000;
const entity = (steps: number) =>
  fc
    .array(fc.record({ ts: fc.integer({ min: 0, max: 40 }).map((s) => s * 30 * SEC), mask: fc.integer({ min: 1, max: (1 << steps) - 1 }) }), { maxLength: 7 })
    .map((ms) => ms.sort((a, b) => a.ts - b.ts));

describe("funnel engine", () => {
  test("levels and fastest times equal brute force over every chain (ties, repeats, out-of-order steps, window and range edges)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 5 }).chain((steps) =>
          fc.tuple(
            fc.constant(steps),
            fc.array(entity(steps), { maxLength: 8 }),
            fc.integer({ min: 0, max: 20 }).map((m) => m * 30 * SEC),
            fc.integer({ min: 0, max: 40 }).map((s) => s * 30 * SEC),
            fc.integer({ min: 0, max: 40 }).map((s) => s * 30 * SEC),
          ),
        ),
        ([steps, entities, windowMs, a, b]) => {
          const w = { from: Math.min(a, b), to: Math.max(a, b), windowMs };
          const ours = entities.map((e) => walkEntity(e, steps, w));
          const naive = entities.map((e) => reference(e, steps, w));
          expect(ours).toEqual(naive);
          const summary = summarize(ours, steps);
          // Every count is of entities that did all steps so far: never growing along the funnel.
          for (let k = 1; k < steps; k++) {
            expect(summary[k]!.visitors).toBeLessThanOrEqual(summary[k - 1]!.visitors);
            expect(summary[k]!.drop_off).toBe(summary[k - 1]!.visitors - summary[k]!.visitors);
          }
          expect(summary[0]!.visitors).toBe(naive.filter((r) => r.level >= 1).length);
          // The distribution holds exactly the reference's fastest times of those who got there.
          for (let k = 0; k < steps; k++) {
            const times = k === 0 ? [] : naive.filter((r) => r.level > k).map((r) => r.fastestMs[k]!);
            expect(summary[k]!.time_to_convert).toEqual(naiveHistogram(times));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("time-to-convert buckets: every time in exactly one bucket, edges inclusive below, over seconds to months", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 90 * 86_400_000 }), fc.constantFrom(...EDGES_S.map((e) => e * 1000)), fc.constantFrom(...EDGES_S.map((e) => e * 1000 - 1)).filter((x) => x >= 0))), (times) => {
        const h = timeHistogram(times);
        expect(h).toEqual(naiveHistogram(times));
        expect(h.reduce((n, b) => n + b.visitors, 0)).toBe(times.length);
      }),
      { numRuns: 500 },
    );
    expect(timeHistogram([]).map(bucketLabel)).toEqual(["<10s", "10s–30s", "30s–1m", "1m–5m", "5m–15m", "15m–1h", "1h–6h", "6h–1d", "1d–3d", "3d–7d", "7d–30d", "≥30d"]);
  });

  test("two events of one instant never chain (strictly after)", () => {
    const w = { from: 0, to: 100, windowMs: 1000 };
    expect(walkEntity([{ ts: 10, mask: 0b01 }, { ts: 10, mask: 0b10 }], 2, w).level).toBe(1);
    expect(walkEntity([{ ts: 10, mask: 0b11 }], 2, w).level).toBe(1);
    expect(walkEntity([{ ts: 10, mask: 0b11 }, { ts: 11, mask: 0b11 }], 2, w)).toEqual({ level: 2, fastestMs: [0, 1] });
  });

  test("a later start rescues a chain the earlier start's window lost", () => {
    const w = { from: 0, to: 1000, windowMs: 100 };
    const m = [{ ts: 0, mask: 1 }, { ts: 150, mask: 1 }, { ts: 200, mask: 2 }, { ts: 240, mask: 4 }];
    expect(walkEntity(m, 3, w)).toEqual({ level: 3, fastestMs: [0, 50, 90] });
  });

  test("median of an even count is the mean of the middle two; percentages to one decimal", () => {
    const s = summarize(
      [
        { level: 2, fastestMs: [0, 10_000] },
        { level: 2, fastestMs: [0, 20_000] },
        { level: 1, fastestMs: [0] },
      ],
      2,
    );
    expect(s[1]).toMatchObject({ visitors: 2, conversion_rate: 66.7, drop_off: 1, median_seconds_to_convert: 15 });
    expect(s[0]!.median_seconds_to_convert).toBeNull();
  });
});
