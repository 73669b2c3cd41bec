import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import type { Deps } from "../../src/deps";
import { ALL_TAGS_HASH } from "../../src/db/schema/data";
import { createTestDeps } from "../helpers/deps";
import { makeProductWithKeys } from "../helpers/factories";

let deps: Deps;
let made: Awaited<ReturnType<typeof createTestDeps>>;
beforeAll(async () => {
  made = await createTestDeps({ env: { LITEKPI_SYNC: "normal" } });
  deps = made.deps;
});
afterAll(() => made.close());

const WIDTHS = { rollup_1m: 60_000, rollup_1h: 3_600_000, rollup_1d: 86_400_000 } as const;
const T0 = Date.UTC(2026, 0, 1);

const point = fc.record({
  metric: fc.constantFrom("signups", "revenue", "x.y-z"),
  value: fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true })),
  tsMs: fc.integer({ min: T0 - 3 * 86_400_000, max: T0 + 3 * 86_400_000 }),
  tags: fc.dictionary(fc.constantFrom("plan", "country", "os"), fc.constantFrom("a", "b", "c"), { maxKeys: 3 }),
});

type Agg = { count: number; sum: number; min: number; max: number };
type Expected = Agg & { abs: number };

/** The reference: every rollup row computed again from the raw points, per series and per all-tags row. */
function checkRollups(productId: string) {
  const sqlite = deps.db.$client;
  for (const [table, width] of Object.entries(WIDTHS)) {
    const expected = new Map<string, Expected>();
    const add = (key: string, v: number) => {
      const a = expected.get(key);
      if (!a) expected.set(key, { count: 1, sum: v, min: v, max: v, abs: Math.abs(v) });
      else (a.count++, (a.sum += v), (a.min = Math.min(a.min, v)), (a.max = Math.max(a.max, v)), (a.abs += Math.abs(v)));
    };
    const raw = sqlite
      .query(
        `SELECT p.series_id AS s, a.id AS a, p.ts_ms AS t, p.value AS v FROM points p JOIN series s ON s.id = p.series_id
         JOIN series a ON a.product_id = s.product_id AND a.metric = s.metric AND a.tags_hash = ? WHERE s.product_id = ?`,
      )
      .all(ALL_TAGS_HASH, productId) as { s: number; a: number; t: number; v: number }[];
    for (const r of raw) {
      const b = Math.floor(r.t / width) * width;
      add(`${r.s}:${b}`, r.v);
      add(`${r.a}:${b}`, r.v);
    }
    const rows = sqlite
      .query(`SELECT r.* FROM ${table} r JOIN series s ON s.id = r.series_id WHERE s.product_id = ?`)
      .all(productId) as ({ series_id: number; bucket_start: number } & Agg)[];
    expect(rows.length).toBe(expected.size);
    for (const row of rows) {
      const e = expected.get(`${row.series_id}:${row.bucket_start}`)!;
      expect(e).toBeDefined();
      expect(row.count).toBe(e.count);
      expect(row.min).toBe(e.min);
      expect(row.max).toBe(e.max);
      // Relative to Σ|v|: summation order differs, and a sum that cancels to ~0 has no other scale.
      const scale = Math.max(1, e.abs);
      expect(Math.abs(row.sum - e.sum) / scale).toBeLessThanOrEqual(1e-9);
    }
  }
}

test("every rollup row (1m, 1h, 1d; per series and all-tags) equals count/sum/min/max of the raw points", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(point, { minLength: 1, maxLength: 60 }), { minLength: 1, maxLength: 6 }), async (batches) => {
      const { product } = await makeProductWithKeys(deps);
      // Several requests at once share flushes; later ones add to rows earlier flushes wrote.
      const results = await Promise.all(batches.map((b) => deps.queue.submitPoints(product.id, b)));
      expect(results.map((r) => r.accepted)).toEqual(batches.map((b) => b.length));
      await deps.queue.submitPoints(product.id, batches[0]!);
      checkRollups(product.id);
    }),
    { numRuns: 60 },
  );
}, 60_000);
