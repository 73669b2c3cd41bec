import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import type { Deps } from "../../src/deps";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { runMetricQuery, type MetricResult } from "../../src/query/events/run";
import type { EventRecord } from "../../src/writer/batch";
import { createTestDeps } from "../helpers/deps";
import { close, refMetric, type RefEvent, type RefQuery } from "./reference";

/**
 * metrics/query against a naive reference over the same events, stored through the real write
 * queue: every aggregation × groupBy (time units and fields) × filter, in zones with DST
 * switches (midnight skipped and repeated in Santiago and Havana, :30/:45 offsets).
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
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ANCHORS: Record<string, number> = {
  UTC: at("2026-01-01T00:00:00Z"),
  "Europe/Berlin": at("2026-03-29T01:00:00Z"),
  "America/New_York": at("2026-11-01T06:00:00Z"),
  "Asia/Kolkata": at("2026-06-15T12:34:00Z"),
  "Asia/Kathmandu": at("2026-02-28T18:15:00Z"),
  "America/Santiago": at("2026-04-05T03:00:00Z"),
  "America/Havana": at("2026-11-01T05:00:00Z"),
  "Australia/Lord_Howe": at("2026-04-04T15:00:00Z"),
};
// Lord Howe moves its clock by 30 minutes: an hour bucket starts at the switch, which the
// reference's "local :00" does not model; its days, weeks and months are checked.
const HOURLY_ZONES = Object.keys(ANCHORS).filter((z) => z !== "Australia/Lord_Howe");
const SPAN: Record<string, number> = { minute: 2 * HOUR, hour: 2 * DAY, day: 12 * DAY, week: 40 * DAY, month: 120 * DAY, none: 30 * DAY };

const offset = (span: number) => fc.oneof(fc.integer({ min: -span, max: span }), fc.integer({ min: -span / 900_000, max: span / 900_000 }).map((k) => k * 900_000));
const amount = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.double({ min: -1e4, max: 1e4, noNaN: true, noDefaultInfinity: true }), fc.constant("5"), fc.boolean());
const event = (span: number) =>
  fc.record({
    name: fc.constantFrom("signup", "purchase", "view"),
    namespace: fc.constantFrom(null, "web", "billing"),
    dt: offset(span),
    properties: fc.record({ plan: fc.constantFrom("free", "pro", "team"), amount, flag: fc.boolean(), org_id: fc.constantFrom("p1", "p2") }, { requiredKeys: [] }),
    context: fc.record({ user_id: fc.constantFrom("u1", "u2", "u3", "u4", "u5"), org_id: fc.constantFrom("o1", "o2", "o3"), session_id: fc.constantFrom("s1", "s2") }, { requiredKeys: [] }),
  });

const FIELDS = ["amount", "user_id", "plan", "org_id", "flag", "properties.org_id", "session_id"];
const PROPERTY_FILTERS: (Record<string, unknown[]> | undefined)[] = [undefined, { plan: ["pro"] }, { plan: ["pro", "team"] }, { org_id: ["o1"] }, { amount: [5] }, { flag: [true] }, { user_id: ["u1", "u2"] }, { "properties.org_id": ["p2"], plan: ["free"] }];

function scenario(unit: string) {
  const span = SPAN[unit]!;
  return fc.record({
    zone: fc.constantFrom(...(unit === "hour" || unit === "minute" ? HOURLY_ZONES : Object.keys(ANCHORS))),
    events: fc.array(event(span), { maxLength: 80 }),
    bounds: fc.tuple(offset(span), offset(span)),
    aggregation: fc.constantFrom("count", "sum", "avg", "min", "max", "distinct" as const),
    field: fc.option(fc.constantFrom(...FIELDS), { nil: undefined }),
    eventFilter: fc.option(fc.subarray(["signup", "purchase", "view"], { minLength: 1 }), { nil: undefined }),
    namespaceFilter: fc.option(fc.constantFrom<string[][]>(["web"], ["web", "billing"]), { nil: undefined }),
    properties: fc.constantFrom(...PROPERTY_FILTERS),
    dims: fc.constantFrom<string[]>([], ["plan"], ["user_id"], ["org_id", "flag"], ["event"], ["namespace"]),
    timeFirst: fc.boolean(),
    // Range edges exactly on events: half-open [start, end) must keep the first and drop the last.
    snap: fc.boolean(),
  });
}
type Scenario = ReturnType<typeof scenario> extends fc.Arbitrary<infer T> ? T : never;
let seq = 0;

async function check(unit: string, sc: Scenario) {
  const anchor = ANCHORS[sc.zone]!;
  const productId = createProduct(deps.db, { ownerId, name: `prop ${++seq}`, timezone: sc.zone }, Date.now()).id;
  const events: RefEvent[] = sc.events.map((e) => ({ name: e.name, namespace: e.namespace, tsMs: anchor + e.dt, properties: e.properties, context: e.context }));
  const records: EventRecord[] = events.map((e) => ({
    name: e.name,
    namespace: e.namespace,
    tsMs: e.tsMs,
    id: null,
    userId: (e.context.user_id as string) ?? null,
    sessionId: (e.context.session_id as string) ?? null,
    visitorId: null,
    properties: Object.keys(e.properties).length ? JSON.stringify(e.properties) : null,
    context: Object.keys(e.context).length ? JSON.stringify(e.context) : null,
  }));
  if (records.length) await deps.queue.submitEvents(productId, records);
  const aggregation = sc.aggregation;
  const field = aggregation === "count" ? sc.field : (sc.field ?? "amount");
  const groupBy = unit === "none" ? sc.dims : sc.timeFirst ? [unit, ...sc.dims] : [...sc.dims, unit];
  const [a, b] = sc.snap && sc.events.length > 1 ? [sc.events[0]!.dt, sc.events[sc.events.length - 1]!.dt] : sc.bounds;
  const q: RefQuery = {
    from: anchor + Math.min(a, b),
    to: anchor + Math.max(a, b),
    zone: sc.zone,
    aggregation,
    field,
    events: sc.eventFilter,
    namespaces: sc.namespaceFilter,
    properties: sc.properties,
    groupBy,
  };
  const filter: Record<string, unknown> = { timeRange: { start: new Date(q.from).toISOString(), end: new Date(q.to).toISOString() } };
  if (q.events) filter.event = q.events.length === 1 ? q.events[0] : q.events;
  if (q.namespaces) filter.namespace = q.namespaces;
  if (q.properties) filter.properties = Object.fromEntries(Object.entries(q.properties).map(([k, v]) => [k, v.length === 1 ? v[0] : v]));
  const input = { metric: "m", aggregation, ...(field ? { aggregationField: field } : {}), filter, ...(groupBy.length ? { groupBy } : {}), limit: 10_000 };
  const result = runMetricQuery(deps.reader, { id: productId, timezone: sc.zone }, input, Date.now());
  const problem = compare(result, refMetric(events, q), q);
  if (problem) throw new Error(`${sc.zone} ${JSON.stringify(input)}: ${problem}`);
}

function compare(result: MetricResult, want: Map<string, number | null>, q: RefQuery): string | null {
  if (!q.groupBy.length) {
    const got = result.value as number | null;
    return close(got, want.get("")!) ? null : `value ${got}, want ${want.get("")}`;
  }
  const got = result.value as Record<string, number | null>;
  for (const [k, v] of want) if (!Object.hasOwn(got, k) || !close(got[k]!, v)) return `key ${JSON.stringify(k)}: got ${got[k]}, want ${v}`;
  // Keys the reference lacks are the empty buckets of a time-only series: empty aggregates only.
  const empty = q.aggregation === "avg" || q.aggregation === "min" || q.aggregation === "max" ? null : 0;
  for (const k of Object.keys(got)) {
    if (want.has(k)) continue;
    if (q.groupBy.length !== 1 || got[k] !== empty) return `unexpected key ${JSON.stringify(k)} = ${got[k]}`;
  }
  if (result.rows!.length !== Object.keys(got).length) return `rows ${result.rows!.length} vs keys ${Object.keys(got).length}`;
  return null;
}

for (const unit of ["none", "minute", "hour", "day", "week", "month"]) {
  test(`groupBy ${unit}: every aggregation × field × filter equals the naive reference`, async () => {
    await fc.assert(fc.asyncProperty(scenario(unit), (sc) => check(unit, sc)), { numRuns: unit === "minute" ? 30 : 60 });
  }, 120_000);
}

test("orderBy value desc + limit gives the top groups of the full answer", async () => {
  await fc.assert(
    fc.asyncProperty(scenario("none"), fc.integer({ min: 1, max: 4 }), async (sc, limit) => {
      const productId = createProduct(deps.db, { ownerId, name: `order ${++seq}`, timezone: "UTC" }, Date.now()).id;
      const records: EventRecord[] = sc.events.map((e) => ({
        name: e.name, namespace: e.namespace, tsMs: ANCHORS.UTC! + e.dt, id: null, userId: (e.context.user_id as string) ?? null,
        sessionId: null, visitorId: null, properties: JSON.stringify(e.properties), context: JSON.stringify(e.context),
      }));
      if (records.length) await deps.queue.submitEvents(productId, records);
      const base = { metric: "m", groupBy: ["user_id"], filter: { timeRange: "1y" } };
      const all = runMetricQuery(deps.reader, { id: productId, timezone: "UTC" }, base, ANCHORS.UTC! + 40 * DAY);
      const top = runMetricQuery(deps.reader, { id: productId, timezone: "UTC" }, { ...base, orderBy: { field: "value", direction: "desc" }, limit }, ANCHORS.UTC! + 40 * DAY);
      const values = all.rows!.map((r) => r.value as number).sort((x, y) => y - x);
      expect(top.rows!.map((r) => r.value)).toEqual(values.slice(0, limit));
      for (let i = 1; i < top.rows!.length; i++) expect(top.rows![i - 1]!.value! >= top.rows![i]!.value!).toBe(true);
      if (all.rows!.length > limit) expect(top.metadata.truncated).toBe(true);
    }),
    { numRuns: 40 },
  );
}, 120_000);
