import { describe, test, expect } from "bun:test";
import fc from "fast-check";
import { summarize, walkEntity, type StepMatch } from "../../src/funnels/engine";
import { reference } from "./reference";

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
        },
      ),
      { numRuns: 2000 },
    );
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
    expect(s[1]).toEqual({ visitors: 2, conversion_rate: 66.7, drop_off: 1, median_seconds_to_convert: 15 });
    expect(s[0]!.median_seconds_to_convert).toBeNull();
  });
});
