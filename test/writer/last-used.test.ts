import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";

const clock = fixedClock(Date.UTC(2026, 5, 1, 12));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(() => server.stop());

const lastUsed = (keyId: string) => (server.deps.db.$client.query("SELECT last_used_at AS at FROM api_keys WHERE id = ?").get(keyId) as { at: number | null }).at;

test("every key kind gets its last-used stamp, at most once a minute", async () => {
  const { ingestKey, ingestKeyId, readKey, readKeyId } = await makeProductWithKeys(server.deps);
  const query = () =>
    server.fetch("/api/v1/query", {
      method: "POST",
      headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metric: "m", aggregation: "sum", range: "7d" }),
    });
  const ingest = () =>
    server.fetch("/api/v1/points", { method: "POST", headers: { Authorization: `Bearer ${ingestKey}` }, body: JSON.stringify({ metric: "m", value: 1 }) });
  expect([lastUsed(readKeyId), lastUsed(ingestKeyId)]).toEqual([null, null]);

  const first = clock.now();
  expect((await query()).status).toBe(200);
  expect((await ingest()).status).toBe(200);
  await server.deps.queue.flushNow();
  expect([lastUsed(readKeyId), lastUsed(ingestKeyId)]).toEqual([first, first]);

  // Within the minute nothing is written again; after it, the next use is stamped.
  clock.advance(30_000);
  await query(), await ingest();
  await server.deps.queue.flushNow();
  expect([lastUsed(readKeyId), lastUsed(ingestKeyId)]).toEqual([first, first]);
  clock.advance(31_000);
  await query(), await ingest();
  await server.deps.queue.flushNow();
  expect([lastUsed(readKeyId), lastUsed(ingestKeyId)]).toEqual([clock.now(), clock.now()]);
});
