import { afterAll, beforeAll, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { fixedClock } from "../../src/lib/clock";
import { allTagsTotals, counts, post } from "./ingest-helpers";

const clock = fixedClock(Date.UTC(2026, 2, 1, 12));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(() => server.stop());

const batch = JSON.stringify([{ metric: "orders", value: 3 }, { metric: "orders", value: 4, tags: { shop: "eu" } }]);

test("the same batch sent twice with one key is stored once and answered the same", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "batch-0001" };
  const first = await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  const second = await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  expect(first).toMatchObject({ status: 200, json: { accepted: 2 } });
  expect(second.status).toBe(first.status);
  expect(second.json).toEqual(first.json);
  expect(second.headers.get("Idempotent-Replayed")).toBe("true");
  expect(first.headers.get("Idempotent-Replayed")).toBeNull();
  expect(counts(server, product.id).points).toBe(2);
  expect(allTagsTotals(server, product.id, "orders")).toEqual({ count: 2, sum: 7 });
});

test("a gzip retry of the same body is the same request", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "gz-1" };
  await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  const again = await post(server, "/api/v1/points", gzipSync(batch), { key: ingestKey, headers: { ...headers, "Content-Encoding": "gzip" } });
  expect(again).toMatchObject({ status: 200, json: { accepted: 2 } });
  expect(counts(server, product.id).points).toBe(2);
});

test("concurrent duplicates wait for the first answer and store once", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "burst" };
  const answers = await Promise.all(Array.from({ length: 8 }, () => post(server, "/api/v1/points", batch, { key: ingestKey, headers })));
  for (const a of answers) expect(a).toMatchObject({ status: 200, json: { accepted: 2 } });
  expect(answers.filter((a) => a.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);
  expect(counts(server, product.id).points).toBe(2);
});

test("the same key with another body is 422 and stores nothing", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "k-422" };
  await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  const other = await post(server, "/api/v1/points", JSON.stringify({ metric: "orders", value: 100 }), { key: ingestKey, headers });
  expect(other.status).toBe(422);
  expect(other.json.error).toBe("idempotency_key_reused");
  expect(counts(server, product.id).points).toBe(2);
});

test("a 207 partial answer is replayed as 207", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "partial-1" };
  const body = '[{"metric":"m","value":1},{"metric":"m"}]';
  const first = await post(server, "/api/v1/points?partial=1", body, { key: ingestKey, headers });
  const second = await post(server, "/api/v1/points?partial=1", body, { key: ingestKey, headers });
  expect(first.status).toBe(207);
  expect(second.status).toBe(207);
  expect(second.json).toEqual(first.json);
  expect(counts(server, product.id).points).toBe(1);
});

test("events: a retried batch with a key counts once", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "ev-1" };
  const body = JSON.stringify([{ event: "click" }, { event: "click" }]); // no ids: only the key protects them
  await post(server, "/api/v1/events", body, { key: ingestKey, headers });
  const again = await post(server, "/api/v1/events", body, { key: ingestKey, headers });
  expect(again.json).toEqual({ accepted: 2 });
  expect(counts(server, product.id).events).toBe(2);
  expect(allTagsTotals(server, product.id, "event:click").count).toBe(2);
});

test("keys are per product", async () => {
  const a = await makeProductWithKeys(server.deps);
  const b = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "shared-name" };
  await post(server, "/api/v1/points", batch, { key: a.ingestKey, headers });
  const res = await post(server, "/api/v1/points", JSON.stringify({ metric: "x", value: 1 }), { key: b.ingestKey, headers });
  expect(res).toMatchObject({ status: 200, json: { accepted: 1 } });
});

test("a refused request is not remembered: fixing the body under the same key works", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "fix-me" };
  expect((await post(server, "/api/v1/points", '{"metric":"m"}', { key: ingestKey, headers })).status).toBe(400);
  expect((await post(server, "/api/v1/points", '{"metric":"m","value":1}', { key: ingestKey, headers })).status).toBe(200);
  expect(counts(server, product.id).points).toBe(1);
});

test("a malformed key is 400", async () => {
  const { ingestKey } = await makeProductWithKeys(server.deps);
  const res = await post(server, "/api/v1/points", batch, { key: ingestKey, headers: { "Idempotency-Key": "x".repeat(300) } });
  expect(res.status).toBe(400);
  expect(res.json.error).toBe("invalid_idempotency_key");
});

test("after 24 h a key is forgotten (lookups and the expiry job)", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const headers = { "Idempotency-Key": "daily" };
  await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  clock.advance(24 * 3_600_000 + 1);
  const later = await post(server, "/api/v1/points", batch, { key: ingestKey, headers });
  expect(later.headers.get("Idempotent-Replayed")).toBeNull();
  expect(counts(server, product.id).points).toBe(4);
  clock.advance(24 * 3_600_000 + 1);
  await server.deps.scheduler.runJobNow("ingest.idempotency-expire");
  const left = server.deps.db.$client.query("SELECT count(*) AS n FROM idempotency_keys WHERE product_id = ?").get(product.id) as { n: number };
  expect(left.n).toBe(0);
});
