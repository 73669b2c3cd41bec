import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { CsvParser } from "./csv-parse";

/**
 * A million raw points through GET /api/v1/export.csv: every row is checked as it streams in
 * (the value is a function of its series and time, so nothing is kept; rows must come in time
 * order, ties by series), and the process's memory
 * is sampled while it streams. Memory numbers are printed for the benchmark notes, not asserted.
 */
const N = 1_000_000;
const SERIES = 10;
const T0 = Date.parse("2026-01-01T00:00:00Z");
// Point i: series i % 10, one point per second per series; its value depends on i alone.
const valueOf = (i: number) => ((i * 7919) % 100_003) / 8 - 5000;
const tagsOf = (s: number): Record<string, string> => (s === SERIES - 1 ? {} : { shard: `s${s}`, ...(s % 3 === 0 ? { note: `=cell ${s}` } : {}) });

let server: TestServer;
let readKey: string;

beforeAll(async () => {
  server = await startTestServer({ env: { LITEKPI_SYNC: "normal" } });
  const p = await makeProductWithKeys(server.deps, { name: "Big Export" });
  readKey = p.readKey;
  const BATCH = 10_000;
  for (let start = 0; start < N; start += BATCH) {
    const batch = [];
    for (let i = start; i < start + BATCH; i++) batch.push({ metric: "load", value: valueOf(i), tsMs: T0 + Math.floor(i / SERIES) * 1000, tags: tagsOf(i % SERIES) });
    await server.deps.queue.submitPoints(p.product.id, batch);
  }
}, 180_000);
afterAll(() => server.stop());

test("1,000,000 points stream out with bounded memory and round-trip exactly", async () => {
  Bun.gc(true);
  const base = process.memoryUsage();
  const started = performance.now();
  const res = await server.fetch(`/api/v1/export.csv?metric=load&from=2025-12-31T00:00:00Z&to=2026-01-03T00:00:00Z`, { headers: { Authorization: `Bearer ${readKey}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parser = new CsvParser();
  let header: string[] | null = null;
  const counts = new Array(SERIES).fill(0);
  const lastTs = new Array(SERIES).fill(-Infinity);
  let prev = { ts: -Infinity, s: -1 };
  let rows = 0;
  let bytes = 0;
  let peakRss = 0;
  let peakHeap = 0;
  let pausedRss = 0;
  const problems: string[] = [];
  const check = (r: string[]) => {
    if (!header) {
      header = r;
      return;
    }
    const ts = Date.parse(r[0]!);
    const shardCol = header.indexOf("shard");
    const s = r[shardCol] === "" ? SERIES - 1 : Number(r[shardCol]!.slice(1));
    const i = ((ts - T0) / 1000) * SERIES + s;
    if (r[0] !== new Date(ts).toISOString()) problems.push(`timestamp ${r[0]}`);
    if (r[1] !== "load" || Number(r[2]) !== valueOf(i)) problems.push(`row ${r.join(",")}: want value ${valueOf(i)}`);
    const note = r[header.indexOf("note")];
    if (note !== (s % 3 === 0 && s !== SERIES - 1 ? `'=cell ${s}` : "")) problems.push(`note ${note} for series ${s}`);
    if (!(ts > lastTs[s])) problems.push(`series ${s} out of order at ${r[0]}`);
    // Time order across series, ties in series order (series s was created s-th).
    if (ts < prev.ts || (ts === prev.ts && s <= prev.s)) problems.push(`row ${r[0]} of series ${s} after ${new Date(prev.ts).toISOString()} of series ${prev.s}`);
    lastTs[s] = ts;
    prev = { ts, s };
    counts[s]++;
    rows++;
  };
  for (let chunks = 0; ; chunks++) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    for (const r of parser.push(decoder.decode(value, { stream: true }))) check(r);
    if (problems.length > 5) break;
    if (chunks % 50 === 0) {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed);
    }
    if (chunks === 100) {
      // A slow client: without backpressure the server would now race ahead and buffer the rest.
      await Bun.sleep(500);
      pausedRss = process.memoryUsage().rss;
    }
  }
  for (const r of parser.end()) check(r);
  const seconds = (performance.now() - started) / 1000;
  expect(problems).toEqual([]);
  expect(header!).toEqual(["timestamp", "metric", "value", "note", "shard"]);
  expect(rows).toBe(N);
  expect(counts).toEqual(new Array(SERIES).fill(N / SERIES));
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(
    `export of ${rows} rows (${mb(bytes)} MiB of CSV) in ${seconds.toFixed(1)} s; rss ${mb(base.rss)} → peak ${mb(peakRss)} MiB ` +
      `(after a 500 ms pause: ${mb(pausedRss)}), heapUsed ${mb(base.heapUsed)} → peak ${mb(peakHeap)} MiB (server and client share this process)`,
  );
}, 180_000);
