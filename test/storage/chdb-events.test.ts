import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { post } from "../ingest/ingest-helpers";
import { rollupRows, storedEvents } from "../helpers/data-plane";
import { chdbAvailable, openChdb } from "../../src/storage/clickhouse/chdb";
import { createClickHouseEventsSink } from "../../src/storage/clickhouse/events-sink";
import { deleteProduct, purgeDeletedProducts } from "../../src/products/delete-product";
import { applyRetention, setRetention } from "../../src/ops/retention";
import type { EventRecord } from "../../src/writer/batch";
import type { ClickHouseTransport } from "../../src/storage/clickhouse/transport";

/**
 * Product events on the ClickHouse data plane (STORAGE=chdb): what only ClickHouse can get
 * wrong — duplicate ids without a unique index, insert deduplication tokens, an insert that
 * fails after SQLite has done its part, deletes that are mutations. The shared events contract
 * and property tests run under STORAGE=chdb in the CI's chdb lane as well.
 */
const available = chdbAvailable();
if (!available) console.log("chdb not installed: STORAGE=chdb events tests skipped (npm install --no-save chdb@3.4.0)");
const t = available ? test : test.skip;

let server: TestServer;
let ch: ClickHouseTransport;
beforeAll(async () => {
  if (!available) return;
  server = await startTestServer({ env: { STORAGE: "chdb" } });
  ch = openChdb(join(server.deps.config.dataDir, "clickhouse"));
});
afterAll(async () => {
  ch?.close();
  await server?.stop();
});

const ev = (event: string, extra: Record<string, unknown> = {}) => ({ event, timestamp: "2026-01-05T10:00:00Z", ...extra });
const eventCount = (productId: string, metric: string) =>
  rollupRows(server.deps, "rollup_1d", productId, { metric, allTags: true }).reduce((n, r) => n + r.count, 0);

t("a repeated id is a duplicate within one request, across requests and across flushes", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const first = await post(server, "/api/v1/events", JSON.stringify([ev("a", { id: "x" }), ev("a", { id: "x" }), ev("a", { id: "y" }), ev("a")]), { key: ingestKey });
  expect(first.json).toEqual({ accepted: 3, duplicates: 1 });
  const again = await post(server, "/api/v1/events", JSON.stringify([ev("a", { id: "y" }), ev("a", { id: "z" })]), { key: ingestKey });
  expect(again.json).toEqual({ accepted: 1, duplicates: 1 });
  expect(storedEvents(server.deps, product.id).map((e) => e.id)).toEqual(["x", "y", null, "z"]);
  expect(eventCount(product.id, "event:a")).toBe(4);
  // Another product may use the same id.
  const other = await makeProductWithKeys(server.deps);
  expect((await post(server, "/api/v1/events", JSON.stringify([ev("a", { id: "x" })]), { key: other.ingestKey })).json).toEqual({ accepted: 1 });
});

t("seq numbers events in arrival order and goes on after a restart of the writer's sink", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  await post(server, "/api/v1/events", JSON.stringify([ev("s1"), ev("s2")]), { key: ingestKey });
  await post(server, "/api/v1/events", JSON.stringify([ev("s3")]), { key: ingestKey });
  const seqs = storedEvents(server.deps, product.id).map((e) => [e.name, e.seq] as const);
  expect(seqs.map(([n]) => n)).toEqual(["s1", "s2", "s3"]);
  expect(seqs[1]![1]).toBe(seqs[0]![1] + 1);
  expect(seqs[2]![1]).toBeGreaterThan(seqs[1]![1]);
  // A new sink (the next start) numbers from the newest stored seq.
  const sink = createClickHouseEventsSink(ch, server.deps.db.$client);
  sink.begin();
  const record: EventRecord = { name: "s4", namespace: null, tsMs: Date.UTC(2026, 0, 5), id: null, userId: null, sessionId: null, visitorId: null, properties: null, context: null };
  sink.add(product.id, [record], null, Date.now());
  sink.write();
  const newest = Number(ch.query("SELECT max(seq) AS n FROM events")[0]!.n);
  expect(storedEvents(server.deps, product.id).find((e) => e.name === "s4")!.seq).toBe(newest);
});

t("an insert repeated with the same deduplication token stores its events once (a retry after a COMMIT that failed)", async () => {
  const { product } = await makeProductWithKeys(server.deps);
  const records: EventRecord[] = [1, 2].map((i) => ({ name: "paid", namespace: null, tsMs: Date.UTC(2026, 0, 5, i), id: null, userId: `u${i}`, sessionId: null, visitorId: null, properties: '{"amount":5}', context: null }));
  const token = `${product.id}:key-1:hash:0`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const sink = createClickHouseEventsSink(ch, server.deps.db.$client);
    sink.begin();
    // Events without ids: nothing but the token can tell the retry from new events.
    expect(sink.add(product.id, records, token, Date.now())).toHaveLength(2);
    sink.write();
  }
  expect(storedEvents(server.deps, product.id).map((e) => e.user_id)).toEqual(["u1", "u2"]);
});

t("an Idempotency-Key replay answers the same and stores the events once", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const body = JSON.stringify([ev("k"), ev("k", { id: "k-2" })]);
  const headers = { "Idempotency-Key": "events-1" };
  const first = await post(server, "/api/v1/events", body, { key: ingestKey, headers });
  const again = await post(server, "/api/v1/events", body, { key: ingestKey, headers });
  expect(again.json).toEqual(first.json);
  expect(storedEvents(server.deps, product.id)).toHaveLength(2);
  expect(eventCount(product.id, "event:k")).toBe(2);
});

t("a ClickHouse insert that fails rolls the whole flush back: 503 storage_unavailable, nothing stored on either side, then recovery", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  // A constraint makes ClickHouse refuse the block (what a full disk or a lost server would do).
  ch.command("ALTER TABLE events ADD CONSTRAINT no_boom CHECK name != 'boom'");
  try {
    const refused = await post(server, "/api/v1/events", JSON.stringify([ev("fine", { id: "f-1" }), ev("boom")]), { key: ingestKey, headers: { "Idempotency-Key": "boom-1" } });
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ error: "storage_unavailable" });
    expect(refused.headers.get("Retry-After")).toBe("30");
  } finally {
    ch.command("ALTER TABLE events DROP CONSTRAINT no_boom");
  }
  expect(storedEvents(server.deps, product.id)).toEqual([]);
  // SQLite rolled back too: no event:<name> series, no idempotency answer kept.
  expect(server.deps.db.$client.query("SELECT count(*) AS n FROM series WHERE product_id = ?").get(product.id)).toEqual({ n: 0 });
  expect(server.deps.db.$client.query("SELECT count(*) AS n FROM idempotency_keys WHERE product_id = ?").get(product.id)).toEqual({ n: 0 });
  const retried = await post(server, "/api/v1/events", JSON.stringify([ev("fine", { id: "f-1" }), ev("boom")]), { key: ingestKey, headers: { "Idempotency-Key": "boom-1" } });
  expect(retried.json).toEqual({ accepted: 2 });
  expect(storedEvents(server.deps, product.id).map((e) => e.name)).toEqual(["fine", "boom"]);
  expect(eventCount(product.id, "event:boom")).toBe(1);
});

t("retention deletes old events in ClickHouse by namespace rule and keeps the event:<name> counts; a purge removes the rest", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const now = server.deps.clock.now();
  const at = (days: number) => new Date(now - days * 86_400_000).toISOString();
  const sent = [ev("old", { timestamp: at(40) }), ev("old", { timestamp: at(40), namespace: "audit" }), ev("new", { timestamp: at(1) })];
  expect((await post(server, "/api/v1/events", JSON.stringify(sent), { key: ingestKey })).json).toEqual({ accepted: 3 });
  setRetention(server.deps.db, product.id, { days: 30 }, now);
  setRetention(server.deps.db, product.id, { days: 365, namespace: "audit" }, now);
  const removed = await applyRetention(server.deps);
  expect(removed.events).toBeGreaterThanOrEqual(1);
  expect(storedEvents(server.deps, product.id).map((e) => [e.name, e.namespace])).toEqual([
    ["old", "audit"],
    ["new", null],
  ]);
  expect(eventCount(product.id, "event:old")).toBe(2);

  deleteProduct(server.deps.db, product.id, now);
  await purgeDeletedProducts(server.deps);
  expect(storedEvents(server.deps, product.id)).toEqual([]);
});

t("the events query API pages a snapshot by seq while events keep arriving", async () => {
  const { product, ingestKey, readKey } = await makeProductWithKeys(server.deps);
  await post(server, "/api/v1/events", JSON.stringify([0, 1, 2].map((i) => ev("p", { properties: { i } }))), { key: ingestKey });
  const page = async (body: Record<string, unknown>) => {
    const res = await server.fetch("/api/v1/events/query", { method: "POST", headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    return (await res.json()) as { events: { id: string; properties: { i: number } }[]; total: number; asOf: string };
  };
  const range = { timeRange: { start: "2026-01-01T00:00:00Z", end: "2026-01-06T00:00:00Z" } };
  const first = await page({ filter: range, limit: 2 });
  // Equal times: newest first by arrival.
  expect(first.events.map((e) => e.properties.i)).toEqual([2, 1]);
  await post(server, "/api/v1/events", JSON.stringify([ev("p", { properties: { i: 3 } })]), { key: ingestKey });
  const second = await page({ filter: range, limit: 2, offset: 2, asOf: first.asOf });
  expect([second.total, second.events.map((e) => e.properties.i)]).toEqual([3, [0]]);
  expect(first.events[0]!.id).toBe(`seq_${storedEvents(server.deps, product.id)[2]!.seq}`);
});
