import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import type { Deps } from "../../src/deps";
import { ALL_TAGS_HASH } from "../../src/db/schema/data";
import { createTestDeps } from "../helpers/deps";
import { makeProductWithKeys } from "../helpers/factories";
import { runQuery } from "../../src/query/run";

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
type Sent = { metric: string; value: number; tsMs: number; tags: Record<string, string> };

const canonical = (tags: Record<string, string>) => JSON.stringify(Object.fromEntries(Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : 1))));

function reference(sent: Sent[], width: number, keep: (t: number) => boolean): Map<string, Expected> {
  const expected = new Map<string, Expected>();
  const add = (key: string, v: number) => {
    const a = expected.get(key);
    if (!a) expected.set(key, { count: 1, sum: v, min: v, max: v, abs: Math.abs(v) });
    else (a.count++, (a.sum += v), (a.min = Math.min(a.min, v)), (a.max = Math.max(a.max, v)), (a.abs += Math.abs(v)));
  };
  for (const p of sent) {
    const b = Math.floor(p.tsMs / width) * width;
    if (!keep(b)) continue;
    add(`${p.metric}|${canonical(p.tags)}|${b}`, p.value);
    add(`${p.metric}|*|${b}`, p.value);
  }
  return expected;
}

function expectClose(row: Agg, e: Expected | undefined) {
  expect(e).toBeDefined();
  expect(row.count).toBe(e!.count);
  expect(row.min).toBe(e!.min);
  expect(row.max).toBe(e!.max);
  // Relative to Σ|v|: summation order differs, and a sum that cancels to ~0 has no other scale.
  expect(Math.abs(row.sum - e!.sum) / Math.max(1, e!.abs)).toBeLessThanOrEqual(1e-9);
}

/**
 * The reference, computed again from every point sent: hour and day rows hold all of them; minute
 * rows exist only before the product's retention cut and raw points only from it on (the two
 * never overlap), per series and per all-tags row.
 */
function checkStorage(productId: string, sent: Sent[]) {
  const sqlite = deps.db.$client;
  const cut = (sqlite.query("SELECT points_before AS t FROM retention_cuts WHERE product_id = ?").get(productId) as { t: number } | null)?.t ?? -Infinity;
  for (const [table, width] of Object.entries(WIDTHS)) {
    const expected = reference(sent, width, table === "rollup_1m" ? (b) => b < cut : () => true);
    const rows = sqlite
      .query(`SELECT s.metric AS metric, s.tags AS tags, r.* FROM ${table} r JOIN series s ON s.id = r.series_id WHERE s.product_id = ?`)
      .all(productId) as ({ metric: string; tags: string; bucket_start: number } & Agg)[];
    expect(rows.length).toBe(expected.size);
    for (const row of rows) expectClose(row, expected.get(`${row.metric}|${row.tags}|${row.bucket_start}`));
  }
  const raw = sqlite
    .query("SELECT s.metric AS metric, s.tags AS tags, p.ts_ms AS t, p.value AS v FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ? ORDER BY 1, 2, 3, 4")
    .all(productId) as { metric: string; tags: string; t: number; v: number }[];
  const kept = sent
    .filter((p) => p.tsMs >= cut)
    .map((p) => ({ metric: p.metric, tags: canonical(p.tags), t: p.tsMs, v: p.value }))
    .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : a.tags < b.tags ? -1 : a.tags > b.tags ? 1 : a.t - b.t || a.v - b.v));
  expect(raw).toEqual(kept);
}

/** The user's view: a minute chart across the cut (and around it) equals the reference, minute by minute. */
function checkMinuteChart(productId: string, sent: Sent[], metric: string, from: number) {
  const to = from + 3 * 3_600_000;
  const q = runQuery(deps.db, { id: productId, timezone: "UTC" }, { metric, aggregation: "sum", granularity: "minute", from: new Date(from).toISOString(), to: new Date(to).toISOString() }, to);
  const ref = reference(sent.filter((p) => p.metric === metric), 60_000, () => true);
  for (const [i, pt] of q.series[0]!.points.entries()) {
    // An empty minute's sum is 0.
    const e = ref.get(`${metric}|*|${from + i * 60_000}`) ?? { sum: 0, abs: 0 };
    expect(Math.abs((pt.v ?? 0) - e.sum) / Math.max(1, e.abs)).toBeLessThanOrEqual(1e-9);
  }
}

const drainRetention = async (productId: string, before: number, limit: number) => {
  for (let n = -1; n !== 0; ) n = await deps.queue.deleteOldPoints(productId, before, limit);
};

test("rollups equal the points sent: hour and day rows always, minute rows before the retention cut, raw points after it", async () => {
  const cutAt = fc.integer({ min: -3 * 24, max: 3 * 24 }).map((h) => T0 + h * 3_600_000);
  const step = fc.oneof(
    { weight: 3, arbitrary: fc.array(point, { minLength: 1, maxLength: 60 }).map((points) => ({ points })) },
    { weight: 1, arbitrary: fc.record({ cut: cutAt, limit: fc.integer({ min: 1, max: 40 }) }) },
  );
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.constantFrom("signups", "revenue", "x.y-z"), async (steps, charted) => {
      const { product } = await makeProductWithKeys(deps);
      const sent: Sent[] = [];
      let cuts = 0;
      for (const s of steps) {
        if ("points" in s) {
          // Several requests at once share flushes; later ones add to rows earlier flushes wrote.
          const halves = [s.points.slice(0, s.points.length >> 1), s.points.slice(s.points.length >> 1)].filter((h) => h.length);
          const results = await Promise.all(halves.map((h) => deps.queue.submitPoints(product.id, h)));
          expect(results.map((r) => r.accepted)).toEqual(halves.map((h) => h.length));
          // SQLite stores -0 as 0: so does the reference.
          sent.push(...s.points.map((p) => ({ ...p, value: p.value === 0 ? 0 : p.value })));
        } else {
          await drainRetention(product.id, s.cut, s.limit);
          cuts++;
        }
      }
      checkStorage(product.id, sent);
      const cut = (deps.db.$client.query("SELECT points_before AS t FROM retention_cuts WHERE product_id = ?").get(product.id) as { t: number } | null)?.t;
      checkMinuteChart(product.id, sent, charted, (cut ?? T0) - 90 * 60_000);
      if (cuts) expect(cut).toBeDefined();
    }),
    { numRuns: 60 },
  );
}, 120_000);
