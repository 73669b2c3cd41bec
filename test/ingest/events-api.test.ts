import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { storedEvents } from "../helpers/data-plane";
import { makeProductWithKeys } from "../helpers/factories";
import { allTagsTotals, counts, post } from "./ingest-helpers";
import { badEventShapes } from "./fixtures/bad-bodies";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const events = (productId: string) => storedEvents(server.deps, productId) as Record<string, unknown>[];

test("one event is stored with its columns and counted into event:<name>", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const res = await post(server, "/api/v1/events", JSON.stringify({
    event: "signup",
    namespace: "web",
    timestamp: "2026-02-01T09:30:00+01:00",
    properties: { plan: "pro", price: 9.5 },
    context: { user_id: "u_1", session_id: "s_1", locale: "de" },
    id: "evt-1",
  }), { key: ingestKey });
  expect(res).toMatchObject({ status: 200, json: { accepted: 1 } });
  expect(events(product.id)).toEqual([expect.objectContaining({
    id: "evt-1", name: "signup", namespace: "web", ts_ms: Date.UTC(2026, 1, 1, 8, 30), user_id: "u_1", session_id: "s_1",
    properties: JSON.stringify({ plan: "pro", price: 9.5 }), context: JSON.stringify({ user_id: "u_1", session_id: "s_1", locale: "de" }),
  })]);
  expect(allTagsTotals(server, product.id, "event:signup")).toEqual({ count: 1, sum: 1 });
  const untagged = server.deps.db.$client.query("SELECT tags FROM series WHERE product_id = ? AND metric = 'event:signup' AND tags_hash != '*'").all(product.id);
  expect(untagged).toEqual([{ tags: "{}" }]);
});

test("batches: [...] and { events: [...] }", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  expect((await post(server, "/api/v1/events", JSON.stringify([{ event: "a" }, { event: "b" }, { event: "a" }]), { key: ingestKey })).json).toEqual({ accepted: 3 });
  expect((await post(server, "/api/v1/events", JSON.stringify({ events: [{ event: "a" }] }), { key: ingestKey })).json).toEqual({ accepted: 1 });
  expect(allTagsTotals(server, product.id, "event:a")).toEqual({ count: 3, sum: 3 });
  expect(allTagsTotals(server, product.id, "event:b")).toEqual({ count: 1, sum: 1 });
});

test("a repeated id is not stored again and never counted twice", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const e = { event: "purchase", id: "order-42", properties: { amount: 10 } };
  expect((await post(server, "/api/v1/events", JSON.stringify(e), { key: ingestKey })).json).toEqual({ accepted: 1 });
  expect((await post(server, "/api/v1/events", JSON.stringify(e), { key: ingestKey })).json).toEqual({ accepted: 0, duplicates: 1 });
  // Within one batch too, and alongside new ones.
  const res = await post(server, "/api/v1/events", JSON.stringify([e, { event: "purchase", id: "order-43" }, { event: "purchase", id: "order-43" }]), { key: ingestKey });
  expect(res.json).toEqual({ accepted: 1, duplicates: 2 });
  expect(counts(server, product.id).events).toBe(2);
  expect(allTagsTotals(server, product.id, "event:purchase")).toEqual({ count: 2, sum: 2 });
});

test("ids are per product", async () => {
  const a = await makeProductWithKeys(server.deps);
  const b = await makeProductWithKeys(server.deps);
  const e = JSON.stringify({ event: "x", id: "same" });
  expect((await post(server, "/api/v1/events", e, { key: a.ingestKey })).json).toEqual({ accepted: 1 });
  expect((await post(server, "/api/v1/events", e, { key: b.ingestKey })).json).toEqual({ accepted: 1 });
});


describe("bad events: 400 invalid_events naming index and field, nothing stored", () => {
  for (const b of badEventShapes) {
    test(b.name, async () => {
      const { product, ingestKey } = await makeProductWithKeys(server.deps);
      const res = await post(server, "/api/v1/events", `[{"event":"ok"},${b.json}]`, { key: ingestKey });
      expect(res.status).toBe(400);
      expect(res.json.error).toBe("invalid_events");
      expect(res.json.errors).toContainEqual({ index: 1, field: b.field, message: expect.any(String) });
      expect(counts(server, product.id)).toEqual({ points: 0, events: 0, series: 0 });
    });
  }
  test("a scalar body is one error with index null", async () => {
    const { ingestKey } = await makeProductWithKeys(server.deps);
    const res = await post(server, "/api/v1/events", "7", { key: ingestKey });
    expect(res.status).toBe(400);
    expect(res.json.errors).toEqual([{ index: null, field: null, message: expect.any(String) }]);
  });
});

test("?partial=1 stores the valid events and answers 207", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const res = await post(server, "/api/v1/events?partial=1", '[{"event":"ok"},{"event":""}]', { key: ingestKey });
  expect(res.status).toBe(207);
  expect(res.json).toEqual({ accepted: 1, error: "invalid_events", errors: [{ index: 1, field: "event", message: expect.any(String) }] });
  expect(counts(server, product.id).events).toBe(1);
});
