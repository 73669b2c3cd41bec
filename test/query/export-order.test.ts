import { afterAll, beforeAll, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { parseCsv, unguard } from "./csv-parse";
import { makeTenants, sendPoints } from "./support";

/** Issue 13 items 1–2: CSV rows in time order (ties by series) and a bounded number of tag columns. */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let t: Awaited<ReturnType<typeof makeTenants>>;
let readA: Record<string, string>;

const T0 = Date.parse("2026-03-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
// Many keys: each point is its own series with 19 keys no other series has, plus "plan" on all.
const WIDE = 1000;
const wideTags = (i: number): Record<string, string> => {
  const tags: Record<string, string> = { plan: i % 2 ? "pro" : "free" };
  for (let k = i === 7 ? 1 : 0; k < 19; k++) tags[`k${String(i).padStart(4, "0")}_${k}`] = `=v${i}.${k}`;
  if (i === 7) tags.tags = "a key named like the overflow column";
  return tags;
};

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  t = await makeTenants(server);
  readA = { Authorization: `Bearer ${t.a.readKey}` };
  // Three series created in the order a, b, c; each sends its points in a different time order.
  const ordered: { metric: string; value: number; timestamp: string; tags?: Record<string, string> }[] = [];
  for (const [s, step] of [["a", 3], ["b", 2], ["c", 5]] as const) {
    for (let k = 0; k < 30; k++) ordered.push({ metric: "orders", value: k, timestamp: iso(T0 + k * step * 60_000), tags: { shop: s } });
  }
  await sendPoints(server, t.a.ingestKey, ordered.slice(0, 1)); // series a exists first
  await sendPoints(server, t.a.ingestKey, ordered.slice(30, 31)); // then b
  await sendPoints(server, t.a.ingestKey, [...ordered.slice(60), ...ordered.slice(31, 60), ...ordered.slice(1, 30)]);
  await sendPoints(server, t.a.ingestKey, Array.from({ length: WIDE }, (_, i) => ({ metric: "wide", value: i, timestamp: iso(T0 + i * 1000), tags: wideTags(i) })));
});
afterAll(() => server.stop());

const exportCsv = async (metric: string) => {
  const res = await server.fetch(`/api/v1/export.csv?metric=${metric}&from=2026-03-01T00:00:00Z&to=2026-03-05T00:00:00Z`, { headers: readA });
  expect(res.status).toBe(200);
  return res.text();
};

test("rows come in time order, ties in series order, not series by series", async () => {
  const [header, ...rows] = parseCsv(await exportCsv("orders"));
  expect(header).toEqual(["timestamp", "metric", "value", "shop"]);
  expect(rows.length).toBe(90);
  const got = rows.map((r) => `${r[0]} ${r[3]}`);
  const want = [...got].sort(); // ISO UTC sorts as time; at a tie "a" < "b" < "c" is series order
  expect(got).toEqual(want);
  expect(rows.slice(0, 4).map((r) => r[3])).toEqual(["a", "b", "c", "b"]); // 0:00 a, b, c, then 0:02 b
});

test("at most 200 tag columns: the most carried keys get one, the rest go to a `tags` JSON column", async () => {
  const text = await exportCsv("wide");
  // Today's export wrote one column per key: 19,001 columns, ~19 MB. Bounded, it stays small.
  expect(text.length).toBeLessThan(3_000_000);
  const [header, ...rows] = parseCsv(text);
  expect(header!.length).toBe(3 + 200 + 1);
  expect(header!.at(-1)).toBe("tags");
  expect(header).toContain("plan");
  expect(header!.slice(3, -1)).toEqual([...header!.slice(3, -1)].sort());
  expect(rows.length).toBe(WIDE);
  for (const r of rows) {
    expect(r.length).toBe(header!.length);
    const i = Number(r[2]);
    const tags: Record<string, string> = r[203] ? JSON.parse(r[203]!) : {};
    header!.slice(3, -1).forEach((k, c) => r[3 + c] !== "" && (tags[k] = unguard(r[3 + c]!)));
    expect(tags).toEqual(wideTags(i));
  }
});

test("bursts: 70,000 points in one millisecond, and 70,000 in 20 ms, still come in time then series order", async () => {
  const T = Date.parse("2026-03-02T12:00:00Z");
  const burst = (metric: string, spreadMs: number) => {
    const points = [];
    for (let s = 0; s < 7; s++) points.push({ metric, value: s, tsMs: T, tags: { shard: `s${s}` } }); // series in creation order
    for (let i = 7; i < 70_000; i++) points.push({ metric, value: i, tsMs: T + (i % spreadMs), tags: { shard: `s${i % 7}` } });
    return points;
  };
  for (const [metric, spread] of [["burst1", 1], ["burst20", 20]] as const) {
    await server.deps.queue.submitPoints(t.a.product.id, burst(metric, spread));
    const [header, ...rows] = parseCsv(await exportCsv(metric));
    expect(header).toEqual(["timestamp", "metric", "value", "shard"]);
    expect(rows.length).toBe(70_000);
    const keys = rows.map((r) => `${r[0]} ${r[3]}`);
    let sorted = true;
    for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) sorted = false;
    expect({ metric, sorted }).toEqual({ metric, sorted: true });
  }
}, 60_000);
