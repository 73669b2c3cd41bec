import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import type { Deps } from "../../src/deps";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { runQuery } from "../../src/query/run";
import { AGGREGATIONS, type Granularity, type TagFilter } from "../../src/query/types";
import { createTestDeps } from "../helpers/deps";
import { compare, reference, type RefPoint, type RefQuery } from "./reference";

/**
 * The engine against a naive reference over the same raw points, written through the real write
 * queue (so rollups and the all-tags row are what ingestion really stores). Times cluster around
 * each zone's DST switches, and many sit exactly on, or 1 ms beside, quarter-hour boundaries, so
 * bucket edges, half-open ranges and the raw-point edges of the plan are all exercised.
 */
let deps: Deps;
let made: Awaited<ReturnType<typeof createTestDeps>>;
let ownerId: string;
beforeAll(async () => {
  made = await createTestDeps({ env: { LITEKPI_SYNC: "normal" } });
  deps = made.deps;
  ownerId = (await createUser(deps.db, { email: "owner@example.com", verified: true }, Date.now())).id;
});
afterAll(() => made.close());

const at = (s: string) => Date.parse(s);
// Instants next to each zone's offset changes in 2026 (or ordinary days where it has none).
const ANCHORS: Record<string, number[]> = {
  UTC: [at("2026-01-01T00:00:00Z"), at("2026-06-15T12:34:00Z")],
  "America/New_York": [at("2026-03-08T07:00:00Z"), at("2026-11-01T06:00:00Z")],
  "Asia/Kolkata": [at("2026-01-01T00:00:00Z"), at("2026-06-15T12:34:00Z")],
  "Australia/Lord_Howe": [at("2026-04-04T15:00:00Z"), at("2026-10-03T15:30:00Z")],
  "Europe/Berlin": [at("2026-03-29T01:00:00Z"), at("2026-10-25T01:00:00Z")],
  "Asia/Kathmandu": [at("2026-02-28T18:15:00Z")],
  "America/St_Johns": [at("2026-03-08T05:30:00Z"), at("2026-11-01T04:30:00Z")],
  // Midnight itself is skipped or repeated here: days start after the gap / at the first midnight.
  "America/Santiago": [at("2026-04-05T03:00:00Z"), at("2026-09-06T04:00:00Z")],
  "America/Havana": [at("2026-03-08T05:00:00Z"), at("2026-11-01T05:00:00Z")],
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN: Record<Granularity | "none", number> = { minute: 3 * HOUR, hour: 3 * DAY, day: 20 * DAY, week: 70 * DAY, month: 400 * DAY, none: 30 * DAY };
const QUARTER = 900_000;

/** An offset from the anchor: anywhere in the span, or on a quarter hour, or 1 ms / 30 s beside one. */
const offset = (span: number) =>
  fc.oneof(
    fc.integer({ min: -span, max: span }),
    fc.tuple(fc.integer({ min: -span / QUARTER, max: span / QUARTER }), fc.constantFrom(0, -1, 1, 30_000)).map(([k, d]) => k * QUARTER + d),
  );

const tags = fc.record({ plan: fc.constantFrom("a", "b", "c"), country: fc.constantFrom("US", "DE") }, { requiredKeys: [] });
const exactValue = fc.integer({ min: -4000, max: 4000 }).map((n) => n / 4); // sums stay exact: group ranking is deterministic
const floatValue = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const FILTERS: (Record<string, TagFilter> | undefined)[] = [
  undefined,
  { plan: "a" },
  { plan: ["a", "b"] },
  { plan: { not: "a" } },
  { country: "US", plan: { not: "c" } },
  { country: ["DE"] },
];

function scenario(g: Granularity | "none", value: fc.Arbitrary<number>, withGroups: boolean) {
  const span = SPAN[g];
  return fc.record({
    zone: fc.constantFrom(...Object.keys(ANCHORS)),
    anchorPick: fc.nat(),
    aggregation: fc.constantFrom(...AGGREGATIONS),
    points: fc.array(fc.record({ dt: offset(span), value, tags }), { maxLength: 120 }),
    bounds: fc.tuple(offset(span), offset(span)),
    filters: fc.constantFrom(...FILTERS),
    groupBy: withGroups ? fc.constantFrom<string[]>([], ["plan"], ["country", "plan"]) : fc.constant<string[]>([]),
    groupLimit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
    zoneInQuery: fc.boolean(),
  });
}

type Scenario = ReturnType<typeof scenario> extends fc.Arbitrary<infer T> ? T : never;
let seq = 0;

async function check(g: Granularity | "none", sc: Scenario, ordered: boolean) {
  const anchors = ANCHORS[sc.zone]!;
  const anchor = anchors[sc.anchorPick % anchors.length]!;
  // A fresh product per run: its data starts empty (the engine takes the zone from the query or from here).
  const productId = createProduct(deps.db, { ownerId, name: `prop ${++seq}` }, Date.now()).id;
  const points: RefPoint[] = sc.points.map((p) => ({ tsMs: anchor + p.dt, value: p.value, tags: p.tags }));
  const records = points.map((p) => ({ metric: "m", value: p.value, tsMs: p.tsMs, tags: p.tags }));
  // Another metric of the same product must never leak into the answer.
  records.push(...points.slice(0, 5).map((p) => ({ metric: "other", value: 1e9, tsMs: p.tsMs, tags: p.tags })));
  if (records.length) await deps.queue.submitPoints(productId, records);
  const [a, b] = sc.bounds;
  const q: RefQuery = {
    aggregation: sc.aggregation,
    granularity: g === "none" ? undefined : g,
    from: anchor + Math.min(a, b),
    to: anchor + Math.max(a, b),
    zone: sc.zone,
    filters: sc.filters,
    groupBy: sc.groupBy,
    groupLimit: sc.groupLimit,
  };
  const input = {
    metric: "m",
    aggregation: q.aggregation,
    ...(q.granularity ? { granularity: q.granularity } : {}),
    from: new Date(q.from).toISOString(),
    to: new Date(q.to).toISOString(),
    ...(sc.zoneInQuery ? { timezone: sc.zone } : {}),
    ...(q.filters ? { filters: q.filters } : {}),
    ...(q.groupBy?.length ? { groupBy: q.groupBy } : {}),
    ...(q.groupLimit ? { groupLimit: q.groupLimit } : {}),
  };
  const product = { id: productId, timezone: sc.zoneInQuery ? "Asia/Tokyo" : sc.zone };
  const want = reference(points, q);
  for (const rawOnly of [false, true]) {
    const result = runQuery(deps.db, product, input, Date.now(), { rawOnly });
    const problem = compare(result, want, q, { ordered });
    if (problem) throw new Error(`${rawOnly ? "raw" : "rollup"} plan, ${sc.zone}, ${JSON.stringify(input)}: ${problem}`);
    expect(result.series.length).toBeGreaterThanOrEqual(q.groupBy?.length ? 0 : 1);
  }
}

for (const g of ["minute", "hour", "day", "week", "month", "none"] as const) {
  test(`${g}: every aggregation × filter × groupBy equals the raw reference (exact values)`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario(g, exactValue, true), (sc) => check(g, sc, true)),
      { numRuns: g === "minute" ? 40 : 60 },
    );
  }, 120_000);
}

test("arbitrary doubles: count/min/max exact, sum/avg within 1e-9 relative", async () => {
  for (const g of ["hour", "day", "none"] as const) {
    await fc.assert(
      fc.asyncProperty(scenario(g, floatValue, true).map((sc) => ({ ...sc, groupLimit: 100 })), (sc) => check(g, sc, false)),
      { numRuns: 40 },
    );
  }
}, 120_000);
