import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";

/**
 * Issue 12/13: a long CSV export shares the one JavaScript thread with every other request. To
 * a fast reader it must still yield, so /healthz answers while it streams (it used to wait for
 * the whole export).
 */
const N = 300_000;
const T0 = Date.parse("2026-01-01T00:00:00Z");
let server: TestServer;
let readKey: string;

beforeAll(async () => {
  server = await startTestServer({ env: { LITEKPI_SYNC: "normal" } });
  const p = await makeProductWithKeys(server.deps, { name: "Busy" });
  readKey = p.readKey;
  for (let start = 0; start < N; start += 10_000) {
    const batch = [];
    for (let i = start; i < start + 10_000; i++) batch.push({ metric: "load", value: i, tsMs: T0 + i * 100, tags: { shard: `s${i % 4}` } });
    await server.deps.queue.submitPoints(p.product.id, batch);
  }
}, 120_000);
afterAll(() => server.stop());

// How fast it answers is the bench's business (R12: /healthz p99 while a 1M-row export streams);
// here: it answers at all, many times, before the export ends — the export yields between chunks.
test("/healthz keeps answering while an export streams to a fast reader", async () => {
  const res = await server.fetch(`/api/v1/export.csv?metric=load&from=2025-12-31T00:00:00Z&to=2026-01-03T00:00:00Z`, { headers: { Authorization: `Bearer ${readKey}` } });
  expect(res.status).toBe(200);
  let streaming = true;
  let bytes = 0;
  const drain = (async () => {
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    streaming = false;
  })();
  const latencies: number[] = [];
  while (streaming) {
    const started = performance.now();
    const h = await server.fetch("/healthz");
    await h.arrayBuffer();
    if (streaming) latencies.push(performance.now() - started);
    await Bun.sleep(5);
  }
  await drain;
  expect(bytes).toBeGreaterThan(N * 30);
  latencies.sort((a, b) => a - b);
  console.log(`healthz during a ${N}-row export: ${latencies.length} probes, p50 ${latencies[latencies.length >> 1]?.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`);
  expect(latencies.length).toBeGreaterThan(5);
}, 60_000);
