import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { counts, post } from "./ingest-helpers";
import { badBodies, badEvents, badPoints, good, goodEvent } from "./fixtures/bad-bodies";

let server: TestServer;
let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
beforeAll(async () => {
  server = await startTestServer();
  p = await makeProductWithKeys(server.deps);
});
afterAll(() => server.stop());


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
