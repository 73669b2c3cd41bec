import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { parseEvents } from "../../src/ingest/events-payload";
import { parsePoints } from "../../src/ingest/payload";
import { EventsBodySchema, PointsBodySchema } from "../../src/ingest/schemas";
import { badBodies, badEventShapes, badEvents, badPoints, good, goodEvent } from "../ingest/fixtures/bad-bodies";
import { GOOD_EVENTS, GOOD_POINTS } from "./good-bodies";

/**
 * The hand-written ingest parsers (fast) and the valibot schemas the OpenAPI document is made
 * from must accept exactly the same bodies: checked on every input of the ingest tests, on good
 * bodies of every form, and on random point- and event-shaped values.
 */
const parserAccepts = (parse: typeof parsePoints | typeof parseEvents, body: unknown) => {
  try {
    return parse(body, Date.now()).errors.length === 0;
  } catch {
    return false; // a fault of the whole body
  }
};
const agree = (kind: "points" | "events", body: unknown) => {
  const parser = parserAccepts(kind === "points" ? parsePoints : parseEvents, body);
  const schema = v.safeParse(kind === "points" ? PointsBodySchema : EventsBodySchema, body).success;
  return { parser, schema };
};
const same = (r: { parser: boolean; schema: boolean }) => r.parser === r.schema;

describe("parser and schema agree", () => {
  test("on each bad point, bad event and bad body of the ingest tests (all refused)", () => {
    const cases: [string, "points" | "events", string][] = [
      ...badPoints.map((b) => [b.name, "points", `[${good},${b.json}]`] as [string, "points", string]),
      ...[...badEvents, ...badEventShapes].map((b) => [b.name, "events", `[${goodEvent},${b.json}]`] as [string, "events", string]),
    ];
    for (const b of badBodies) {
      const text = b.body();
      if (typeof text !== "string" || b.headers) continue;
      try {
        JSON.parse(text);
        cases.push([b.name, "points", text]);
      } catch {
        // not JSON: refused before either runs
      }
    }
    expect(cases.length).toBeGreaterThan(50);
    for (const [name, kind, json] of cases) expect({ name, ...agree(kind, JSON.parse(json)) }).toEqual({ name, parser: false, schema: false });
  });

  test("on good bodies of every form (all accepted)", () => {
    for (const body of GOOD_POINTS) expect({ body, ...agree("points", body) }).toEqual({ body, parser: true, schema: true });
    for (const body of GOOD_EVENTS) expect({ body, ...agree("events", body) }).toEqual({ body, parser: true, schema: true });
  });

  // Values that sit near the rules: names at and past their limits, reserved words, bad times.
  const text = fc.oneof(
    fc.constantFrom("m", "", " m", "m ", "event:x", "a\u0007b", "a\ud800", "x".repeat(200), "x".repeat(201), "📈".repeat(150), "timestamp", "value", "__proto__", "a b", "k".repeat(64), "k".repeat(65)),
    fc.string({ maxLength: 8 }),
  );
  const scalar = fc.oneof(text, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom("2026-03-08T14:30:00Z", "2026-02-30T00:00:00Z", "2026-01-01", "2999-01-01T00:00:00Z", "2026-03-08T14:30:00+0100"));
  const value = fc.oneof(scalar, fc.dictionary(text, scalar, { maxKeys: 3 }), fc.array(scalar, { maxLength: 3 }), fc.dictionary(text, text, { maxKeys: 22 }));
  const pick = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), text), value, { maxKeys: 6 });
  const wrap = (kind: string, item: fc.Arbitrary<unknown>) => fc.oneof(item, fc.array(item, { maxLength: 3 }), fc.array(item, { maxLength: 3 }).map((list) => ({ [kind]: list })));

  test("on random point-shaped bodies", () => {
    fc.assert(fc.property(wrap("points", pick(["metric", "value", "timestamp", "tags"])), (body) => same(agree("points", body))), { numRuns: 3000 });
  });

  test("on random event-shaped bodies", () => {
    const context = fc.dictionary(fc.constantFrom("user_id", "session_id", "org_id"), value, { maxKeys: 3 });
    const event = fc.record({ event: value, namespace: value, timestamp: value, properties: value, context: fc.oneof(context, value), id: value }, { requiredKeys: [] });
    fc.assert(fc.property(wrap("events", fc.oneof(event, pick(["event", "namespace", "properties", "context", "id"]))), (body) => same(agree("events", body))), { numRuns: 3000 });
  });
});
