import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { createTestDeps } from "../helpers/deps";
import { makeProductWithKeys } from "../helpers/factories";
import { fixedClock } from "../../src/lib/clock";
import { runQuery } from "../../src/query/run";
import { MinuteSeries, HOUR_MS, mergeRanges } from "../../src/alerts/minute-data";
import { MINUTE_MS } from "../../src/alerts/durations";
import type { Deps } from "../../src/deps";
import type { Aggregation } from "../../src/query/types";

/**
 * The evaluator's window values (folded from minute or hour buckets, src/alerts/minute-data.ts)
 * against the query engine asked for the same window directly, and against raw points: count,
 * min and max exactly, sum and avg within 1e-9 relative (DESIGN.md "Settled details").
 */
const T0 = Date.UTC(2026, 2, 2, 0, 0);
const SPAN = 3 * 24 * HOUR_MS;
let deps: Deps;
let close: () => Promise<void>;
let product: { id: string; timezone: string };
const raw: { at: number; value: number; tag: string }[] = [];

beforeAll(async () => {
  const made = await createTestDeps({ clock: fixedClock(T0 + SPAN) });
  deps = made.deps;
  close = made.close;
  product = (await makeProductWithKeys(deps, { timezone: "Asia/Kolkata" })).product;
  const rnd = fc.sample(fc.tuple(fc.integer({ min: 0, max: SPAN - 1 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), fc.constantFrom("a", "b")), { numRuns: 4000, seed: 42 });
  for (const [off, value, tag] of rnd) raw.push({ at: T0 + off, value, tag });
  for (let i = 0; i < raw.length; i += 1000) {
    await deps.queue.submitPoints(product.id, raw.slice(i, i + 1000).map((p) => ({ metric: "w", value: p.value, tsMs: p.at, tags: { k: p.tag } })));
  }
  await deps.queue.flushNow();
});
afterAll(() => close());

const close9 = (a: number | null, b: number | null) => (a === null || b === null ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

test("a window's value from buckets equals the query engine's and the raw points' value", () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Aggregation>("sum", "count", "avg", "min", "max"),
      fc.integer({ min: 1, max: 24 * 60 }), // window minutes
      fc.integer({ min: 24 * 60, max: 3 * 24 * 60 }), // end minute
      fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
      fc.boolean(), // read hour buckets where the window is on hour edges
      (aggregation, minutesIn, endMinuteIn, tag, hours) => {
        // Half the cases on hour edges, so the hour-bucket path is walked too.
        const minutes = hours ? Math.max(60, Math.round(minutesIn / 60) * 60) : minutesIn;
        const endMinute = hours ? Math.round(endMinuteIn / 60) * 60 : endMinuteIn;
        const to = T0 + endMinute * MINUTE_MS;
        const from = to - minutes * MINUTE_MS;
        const q = { metric: "w", aggregation, ...(tag ? { filters: { k: tag } } : {}) };
        const onHours = hours && from % HOUR_MS === 0 && to % HOUR_MS === 0;
        const series = MinuteSeries.load(deps.reader, product, q, mergeRanges([{ from: from - 7 * MINUTE_MS * 60, to }].map((r) => (onHours ? { from: Math.floor(r.from / HOUR_MS) * HOUR_MS, to: r.to } : r))), T0 + SPAN, onHours ? HOUR_MS : MINUTE_MS);
        const mine = series.value(from, to);
        const engine = runQuery(deps.reader, product, { ...q, from: new Date(from).toISOString(), to: new Date(to).toISOString() }, T0 + SPAN).value ?? null;
        const pts = raw.filter((p) => p.at >= from && p.at < to && (!tag || p.tag === tag)).map((p) => p.value);
        const naive =
          aggregation === "count" ? pts.length : aggregation === "sum" ? pts.reduce((a, b) => a + b, 0) : !pts.length ? null : aggregation === "avg" ? pts.reduce((a, b) => a + b, 0) / pts.length : aggregation === "min" ? Math.min(...pts) : Math.max(...pts);
        expect([aggregation, close9(mine, engine), close9(mine, naive)]).toEqual([aggregation, true, true]);
      },
    ),
    { numRuns: 150, seed: 7 },
  );
});
