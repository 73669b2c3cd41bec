import { afterEach, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { createKey } from "../../src/products/keys";
import { fixedClock } from "../../src/lib/clock";
import { counts, post } from "./ingest-helpers";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});
async function serve(env: Record<string, string> = {}, clock?: ReturnType<typeof fixedClock>) {
  const s = await startTestServer({ env, clock });
  servers.push(s);
  return s;
}

test("the series limit: a new tag combination past it is a 400 naming the metric, and nothing of that request is stored", async () => {
  const server = await serve({ MAX_SERIES_PER_PRODUCT: "3" });
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const pt = (plan: string, metric = "mrr") => ({ metric, value: 1, tags: { plan } });
  expect((await post(server, "/api/v1/points", JSON.stringify([pt("a"), pt("b"), pt("c")]), { key: ingestKey })).status).toBe(200);
  const before = counts(server, product.id);
  const res = await post(server, "/api/v1/points", JSON.stringify([pt("a"), pt("d", "churn")]), { key: ingestKey });
  expect(res.status).toBe(400);
  expect(res.json.error).toBe("too_many_series");
  expect(res.json.message).toContain('"churn"');
  expect(counts(server, product.id)).toEqual(before);
  // Existing combinations still go in.
  expect((await post(server, "/api/v1/points", JSON.stringify([pt("a"), pt("c")]), { key: ingestKey })).status).toBe(200);
  // Another product has its own budget.
  const other = await makeProductWithKeys(server.deps);
  expect((await post(server, "/api/v1/points", JSON.stringify([pt("x"), pt("y")]), { key: other.ingestKey })).status).toBe(200);
});

test("a request refused by the series limit does not fail the requests sharing its flush", async () => {
  const server = await serve({ MAX_SERIES_PER_PRODUCT: "2" });
  const a = await makeProductWithKeys(server.deps);
  const b = await makeProductWithKeys(server.deps);
  const many = JSON.stringify([1, 2, 3].map((i) => ({ metric: "m", value: 1, tags: { i: String(i) } })));
  const [bad, good] = await Promise.all([
    post(server, "/api/v1/points", many, { key: a.ingestKey }),
    post(server, "/api/v1/points", JSON.stringify({ metric: "m", value: 1 }), { key: b.ingestKey }),
  ]);
  expect(bad.status).toBe(400);
  expect(good.status).toBe(200);
  expect(counts(server, a.product.id).points).toBe(0);
  expect(counts(server, b.product.id).points).toBe(1);
});

test("rate limit per key: 429 with Retry-After", async () => {
  const server = await serve({ RATE_LIMIT_KEY_RPS: "1", RATE_LIMIT_PRODUCT_RPS: "1000" });
  const { ingestKey } = await makeProductWithKeys(server.deps);
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  let error: string | undefined;
  for (let i = 0; i < 5; i++) {
    const res = await post(server, "/api/v1/points", '{"metric":"m","value":1}', { key: ingestKey });
    statuses.push(res.status);
    if (res.status === 429) (retryAfter = res.headers.get("Retry-After")), (error = res.json.error);
  }
  expect(statuses).toContain(200);
  expect(statuses).toContain(429);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(error).toBe("rate_limited");
});

test("rate limit per product: all its keys share one bucket", async () => {
  // A fixed clock: on a loaded machine four requests can take over a second and refill the bucket.
  const server = await serve({ RATE_LIMIT_KEY_RPS: "1000", RATE_LIMIT_PRODUCT_RPS: "1" }, fixedClock(Date.UTC(2026, 3, 1, 8)));
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const second = createKey(server.deps.db, { productId: product.id, scope: "ingest" }, Date.now()).secret;
  const statuses: number[] = [];
  for (const key of [ingestKey, second, ingestKey, second]) statuses.push((await post(server, "/api/v1/points", '{"metric":"m","value":1}', { key })).status);
  expect(statuses.slice(0, 2)).toEqual([200, 200]);
  expect(statuses.slice(2)).toEqual([429, 429]);
});

test("api_keys.last_used_at is written at most once a minute per key", async () => {
  const clock = fixedClock(Date.UTC(2026, 3, 1, 8));
  const server = await serve({}, clock);
  const { ingestKey, ingestKeyId } = await makeProductWithKeys(server.deps);
  const lastUsed = () => (server.deps.db.$client.query("SELECT last_used_at AS t FROM api_keys WHERE id = ?").get(ingestKeyId) as { t: number | null }).t;
  expect(lastUsed()).toBeNull();
  const send = () => post(server, "/api/v1/points", '{"metric":"m","value":1}', { key: ingestKey });
  await send();
  const first = clock.now();
  expect(lastUsed()).toBe(first);
  clock.advance(30_000);
  await send();
  expect(lastUsed()).toBe(first);
  clock.advance(31_000);
  await send();
  expect(lastUsed()).toBe(clock.now());
});
