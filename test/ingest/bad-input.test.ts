import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { counts, post } from "./ingest-helpers";

let server: TestServer;
let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
beforeAll(async () => {
  server = await startTestServer();
  p = await makeProductWithKeys(server.deps);
});
afterAll(() => server.stop());

const good = '{"metric":"ok","value":1}';
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, "v"]));
const inFuture = new Date(Date.now() + 25 * 3_600_000).toISOString();

/**
 * Each bad point is sent after a good one, as raw JSON text (so `__proto__`, 1e400 and other
 * things JSON.stringify cannot write get through): 400, one error naming index 1 and the field,
 * and nothing stored — not even the good point.
 */
const badPoints: { name: string; json: string; field: string | null; says?: RegExp }[] = [
  { name: "missing metric", json: '{"value":1}', field: "metric", says: /required/ },
  { name: "missing value", json: '{"metric":"m"}', field: "value", says: /required/ },
  { name: "value as a numeric string", json: '{"metric":"m","value":"5"}', field: "value", says: /number/ },
  { name: "NaN written as a string", json: '{"metric":"m","value":"NaN"}', field: "value" },
  { name: "Infinity written as a string", json: '{"metric":"m","value":"Infinity"}', field: "value" },
  { name: "a number too big for a double (1e400)", json: '{"metric":"m","value":1e400}', field: "value", says: /finite/ },
  { name: "value null", json: '{"metric":"m","value":null}', field: "value" },
  { name: "value boolean", json: '{"metric":"m","value":true}', field: "value" },
  { name: "metric a number", json: '{"metric":5,"value":1}', field: "metric", says: /string/ },
  { name: "empty metric", json: '{"metric":"","value":1}', field: "metric", says: /empty/ },
  { name: "201-character metric", json: JSON.stringify({ metric: "m".repeat(201), value: 1 }), field: "metric", says: /200/ },
  { name: "metric with a control character", json: '{"metric":"a\\u0007b","value":1}', field: "metric", says: /control/ },
  { name: "metric with a lone surrogate (would be stored as U+FFFD)", json: '{"metric":"a\\ud800b","value":1}', field: "metric", says: /surrogate/ },
  { name: "tag value with a lone surrogate", json: '{"metric":"m","value":1,"tags":{"plan":"pro\\udc00"}}', field: "tags.plan", says: /surrogate/ },
  { name: "metric with surrounding spaces", json: '{"metric":" m ","value":1}', field: "metric", says: /space/ },
  { name: "metric with the reserved event: prefix", json: '{"metric":"event:signup","value":1}', field: "metric", says: /reserved/ },
  { name: "non-string tag value", json: '{"metric":"m","value":1,"tags":{"plan":5}}', field: "tags.plan", says: /string/ },
  { name: "nested tags", json: '{"metric":"m","value":1,"tags":{"plan":{"name":"pro"}}}', field: "tags.plan" },
  { name: "tags as an array", json: '{"metric":"m","value":1,"tags":["a"]}', field: "tags" },
  { name: "21 tags", json: JSON.stringify({ metric: "m", value: 1, tags: tags(21) }), field: "tags", says: /20/ },
  { name: "tag key with a space", json: '{"metric":"m","value":1,"tags":{"a b":"v"}}', field: "tags.a b" },
  { name: "65-character tag key", json: JSON.stringify({ metric: "m", value: 1, tags: { ["k".repeat(65)]: "v" } }), field: `tags.${"k".repeat(65)}` },
  { name: "reserved tag key", json: '{"metric":"m","value":1,"tags":{"value":"v"}}', field: "tags.value", says: /reserved/ },
  { name: "empty tag value", json: '{"metric":"m","value":1,"tags":{"plan":""}}', field: "tags.plan" },
  { name: "201-character tag value", json: JSON.stringify({ metric: "m", value: 1, tags: { plan: "v".repeat(201) } }), field: "tags.plan" },
  { name: "__proto__ as a tag key", json: '{"metric":"m","value":1,"tags":{"__proto__":"x"}}', field: "tags.__proto__" },
  { name: "__proto__ as a point key", json: '{"metric":"m","value":1,"__proto__":{"admin":true}}', field: "__proto__", says: /unknown/ },
  { name: "an unknown key", json: '{"metric":"m","value":1,"unit":"ms"}', field: "unit", says: /unknown/ },
  { name: "a timestamp that is not a date", json: '{"metric":"m","value":1,"timestamp":"yesterday"}', field: "timestamp", says: /RFC 3339/ },
  { name: "a date-only timestamp", json: '{"metric":"m","value":1,"timestamp":"2026-01-01"}', field: "timestamp" },
  { name: "a numeric timestamp", json: '{"metric":"m","value":1,"timestamp":1767225600}', field: "timestamp", says: /numbers/ },
  { name: "a timestamp > 24 h in the future", json: JSON.stringify({ metric: "m", value: 1, timestamp: inFuture }), field: "timestamp", says: /future/ },
  { name: "an impossible date", json: '{"metric":"m","value":1,"timestamp":"2026-02-30T00:00:00Z"}', field: "timestamp" },
  { name: "an offset out of range", json: '{"metric":"m","value":1,"timestamp":"2026-01-01T00:00:00+25:00"}', field: "timestamp" },
  { name: "an offset without colon", json: '{"metric":"m","value":1,"timestamp":"2026-01-01T00:00:00+0100"}', field: "timestamp" },
  { name: "a point that is a string", json: '"signups"', field: null },
  { name: "a point that is null", json: "null", field: null },
];

describe("a bad point gets an error naming index, field and reason; nothing is stored", () => {
  for (const b of badPoints) {
    test(b.name, async () => {
      const before = counts(server, p.product.id);
      const res = await post(server, "/api/v1/points", `[${good},${b.json}]`, { key: p.ingestKey });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_points");
      expect(res.json.errors.length).toBeGreaterThanOrEqual(1);
      const err = res.json.errors.find((e: any) => e.field === b.field);
      expect(err).toBeDefined();
      expect(err.index).toBe(1);
      expect(typeof err.message).toBe("string");
      if (b.says) expect(err.message).toMatch(b.says);
      expect(res.json.errors.every((e: any) => e.index === 1)).toBe(true);
      expect(counts(server, p.product.id)).toEqual(before);
    });
  }
});

/**
 * The same for events: nothing may be changed silently on the way in — a lone surrogate anywhere
 * (name, id, a property key or value) would be stored as U+FFFD, and 1e309 (JSON.parse gives
 * Infinity) as null. Each is refused naming the field (the path inside properties/context).
 */
const goodEvent = '{"event":"ok"}';
const badEvents: { name: string; json: string; field: string; says?: RegExp }[] = [
  { name: "event name with a lone surrogate", json: '{"event":"sign\\ud83dup"}', field: "event", says: /surrogate/ },
  { name: "namespace with a lone surrogate", json: '{"event":"e","namespace":"\\udfff"}', field: "namespace", says: /surrogate/ },
  { name: "id with a lone surrogate", json: '{"event":"e","id":"x\\ud800"}', field: "id", says: /surrogate/ },
  { name: "user id with a lone surrogate", json: '{"event":"e","context":{"user_id":"\\ud800"}}', field: "context.user_id", says: /surrogate/ },
  { name: "property value with a lone surrogate", json: '{"event":"e","properties":{"plan":"pro\\ud800"}}', field: "properties.plan", says: /surrogate/ },
  { name: "nested property key with a lone surrogate", json: '{"event":"e","properties":{"a":[{"k\\udc00":1}]}}', field: "properties.a.0", says: /surrogate/ },
  { name: "property 1e309 (JSON.parse gives Infinity)", json: '{"event":"e","properties":{"price":1e309}}', field: "properties.price", says: /finite/ },
  { name: "nested property -1e400", json: '{"event":"e","properties":{"cart":{"items":[1,-1e400]}}}', field: "properties.cart.items.1", says: /finite/ },
  { name: "context value 1e309", json: '{"event":"e","context":{"screen":{"w":1e309}}}', field: "context.screen.w", says: /finite/ },
];

describe("a bad event gets an error naming index and field; nothing is stored", () => {
  for (const b of badEvents) {
    test(b.name, async () => {
      const before = counts(server, p.product.id);
      const res = await post(server, "/api/v1/events", `[${goodEvent},${b.json}]`, { key: p.ingestKey });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_events");
      expect(res.json.errors).toHaveLength(1);
      expect(res.json.errors[0]).toMatchObject({ index: 1, field: b.field });
      if (b.says) expect(res.json.errors[0].message).toMatch(b.says);
      expect(counts(server, p.product.id)).toEqual(before);
    });
  }
});

/** Faults of the whole body: 400 with one entry whose index is null (413 is about bytes only). */
const badBodies: { name: string; body: () => BodyInit; headers?: Record<string, string> }[] = [
  { name: "1001 points", body: () => JSON.stringify(Array.from({ length: 1001 }, () => ({ metric: "m", value: 1 }))) },
  { name: "invalid UTF-8", body: () => new Uint8Array([...new TextEncoder().encode('{"metric":"m'), 0xff, 0xfe, ...new TextEncoder().encode('","value":1}')]) },
  { name: "truncated JSON", body: () => '[{"metric":"m","value":1},{"metric":"m","val' },
  { name: "an empty body", body: () => "" },
  { name: "only whitespace", body: () => "  \n " },
  { name: "a JSON number", body: () => "42" },
  { name: "a JSON string", body: () => '"points"' },
  { name: "JSON null", body: () => "null" },
  { name: "JSON true", body: () => "true" },
  { name: '"points" that is not an array', body: () => '{"points":{"metric":"m","value":1}}' },
  { name: '"points" next to another key', body: () => '{"points":[],"extra":1}' },
  { name: "gzip that is not gzip", body: () => "not gzip at all", headers: { "Content-Encoding": "gzip" } },
  { name: "gzip of invalid UTF-8", body: () => gzipSync(Buffer.from([0x5b, 0xc3, 0x28, 0x5d])), headers: { "Content-Encoding": "gzip" } },
];

describe("a bad body is one error with index null", () => {
  for (const b of badBodies) {
    test(b.name, async () => {
      const before = counts(server, p.product.id);
      const res = await post(server, "/api/v1/points", b.body(), { key: p.ingestKey, headers: b.headers });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_points");
      expect(res.json.errors).toEqual([{ index: null, field: null, message: res.json.message }]);
      expect(counts(server, p.product.id)).toEqual(before);
    });
  }
});

test("with ?partial=1 every bad point above is reported and every good one stored", async () => {
  const body = `[${[good, ...badPoints.map((b) => b.json), good].join(",")}]`;
  const res = await post(server, "/api/v1/points?partial=1", body, { key: p.ingestKey });
  expect(res.status).toBe(207);
  expect(res.json.accepted).toBe(2);
  expect(res.json.error).toBe("invalid_points");
  const indexes = new Set(res.json.errors.map((e: any) => e.index));
  expect(indexes).toEqual(new Set(badPoints.map((_, i) => i + 1)));
});

test("random junk never answers 5xx", async () => {
  const fc = (await import("fast-check")).default;
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.json(), fc.jsonValue().map((v) => JSON.stringify([v])), fc.string()), async (text) => {
      const res = await post(server, "/api/v1/points?partial=1", text, { key: p.ingestKey });
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 150 },
  );
}, 60_000);
