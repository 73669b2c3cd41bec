import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mrrMovements, type SubscriptionChange } from "../../src/revenue/mrr";

/** Naive reference: replay every change, and per period compare each subscription's MRR before and after each change. */
function reference(changes: SubscriptionChange[], starts: number[]) {
  const out: Record<string, { start: number; mrr: number; new: number; expansion: number; contraction: number; churned: number }[]> = {};
  const currencies = [...new Set(changes.filter((c) => c.at < starts.at(-1)!).map((c) => c.currency))];
  for (const cur of currencies) {
    out[cur] = starts.slice(0, -1).map((start, i) => {
      const end = starts[i + 1]!;
      const row = { start, mrr: 0, new: 0, expansion: 0, contraction: 0, churned: 0 };
      const state = new Map<string, { mrr: number; currency: string }>();
      for (const c of changes) {
        if (c.at >= end) break;
        const before = state.get(c.subscriptionId);
        const inPeriod = c.at >= start;
        if (before && before.currency !== c.currency && before.mrr > 0 && inPeriod && before.currency === cur) row.churned += before.mrr;
        const prev = before && before.currency === c.currency ? before.mrr : 0;
        state.set(c.subscriptionId, { mrr: c.mrrMinor, currency: c.currency });
        if (!inPeriod || c.currency !== cur) continue;
        if (prev === 0 && c.mrrMinor > 0) row.new += c.mrrMinor;
        else if (c.mrrMinor === 0 && prev > 0) row.churned += prev;
        else if (c.mrrMinor > prev) row.expansion += c.mrrMinor - prev;
        else if (c.mrrMinor < prev) row.contraction += prev - c.mrrMinor;
      }
      for (const s of state.values()) if (s.currency === cur) row.mrr += s.mrr;
      return row;
    });
  }
  return out;
}

describe("MRR movements", () => {
  test("equal a replay of every change, per period and currency", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ subscriptionId: fc.constantFrom("a", "b", "c", "d"), at: fc.integer({ min: 0, max: 100 }), mrrMinor: fc.constantFrom(0, 500, 1000, 2500), currency: fc.constantFrom("USD", "USD", "EUR") }),
          { maxLength: 30 },
        ),
        fc.uniqueArray(fc.integer({ min: 10, max: 110 }), { minLength: 2, maxLength: 6 }),
        (changes, points) => {
          const sorted = changes.slice().sort((x, y) => x.at - y.at);
          const starts = points.sort((x, y) => x - y);
          expect(mrrMovements(sorted, starts)).toEqual(reference(sorted, starts));
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("a lifecycle by hand: create 50, upgrade to 80, downgrade to 30, cancel; a second currency apart", () => {
    const month = (m: number) => Date.UTC(2026, m, 1);
    const changes: SubscriptionChange[] = [
      { subscriptionId: "s1", at: month(0) + 1, mrrMinor: 5000, currency: "USD" },
      { subscriptionId: "s2", at: month(0) + 2, mrrMinor: 4000, currency: "EUR" },
      { subscriptionId: "s1", at: month(1) + 1, mrrMinor: 8000, currency: "USD" },
      { subscriptionId: "s1", at: month(2) + 1, mrrMinor: 3000, currency: "USD" },
      { subscriptionId: "s1", at: month(3) + 1, mrrMinor: 0, currency: "USD" },
    ];
    const got = mrrMovements(changes, [month(0), month(1), month(2), month(3), month(4)]);
    expect(got.USD!.map(({ mrr, new: n, expansion, contraction, churned }) => [mrr, n, expansion, contraction, churned])).toEqual([
      [5000, 5000, 0, 0, 0],
      [8000, 0, 3000, 0, 0],
      [3000, 0, 0, 5000, 0],
      [0, 0, 0, 0, 3000],
    ]);
    expect(got.EUR!.map((p) => p.mrr)).toEqual([4000, 4000, 4000, 4000]);
  });
});
