import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import StatsD from "hot-shots";
import { startServer, type RunningServer } from "../../src/server";
import { loadConfig, ConfigError } from "../../src/config";
import { createTestDeps } from "../helpers/deps";
import { makeProductWithKeys } from "../helpers/factories";
import { StatsdAggregator } from "../../src/dropins/statsd/aggregate";
import { parseStatsdLine, type StatsdSample } from "../../src/dropins/statsd/parse";
import type { StatsdServer } from "../../src/dropins/statsd";
import type { Deps } from "../../src/deps";
import { droppedEvents } from "../../src/ops/drops";

const dropsOf = (reason: string) => droppedEvents().find(([r]) => r === reason)?.[1] ?? 0;

let made: Awaited<ReturnType<typeof createTestDeps>>;
let deps: Deps;
let running: RunningServer;
let statsd: StatsdServer;
let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
const T = Date.UTC(2026, 0, 15, 12, 0, 0);

beforeAll(async () => {
  made = await createTestDeps({ env: { STATSD_PORT: "0", STATSD_KEY: "set-below" } });
  deps = made.deps;
  p = await makeProductWithKeys(deps);
  deps.config.statsd!.key = p.ingestKey;
  running = startServer(deps, { port: 0, host: "127.0.0.1" });
  statsd = (await running.statsd)!;
});
afterAll(async () => {
  await running.stop();
  await made.close();
});

function points(productId: string) {
  return deps.db.$client
    .query(
      `SELECT s.metric, p.value, p.ts_ms AS tsMs, (SELECT json_group_object(t.key, t.value) FROM series_tags t WHERE t.series_id = s.id) AS tags
       FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ? ORDER BY s.metric, p.value`,
    )
    .all(productId)
    .map((r: any) => ({ ...r, tags: JSON.parse(r.tags) })) as { metric: string; value: number; tsMs: number; tags: Record<string, string> }[];
}

/** UDP gives no answer: wait until the server has read `lines` more lines. */
async function received(before: number, lines: number) {
  for (let i = 0; i < 400 && statsd.received < before + lines; i++) await Bun.sleep(5);
  expect(statsd.received).toBeGreaterThanOrEqual(before + lines);
}

describe("StatsD over UDP with hot-shots", () => {
  test("counters, gauges (+/-), timers, histograms, sets and DogStatsD tags become points stamped at the flush", async () => {
    const client = new StatsD({ host: "127.0.0.1", port: statsd.port, protocol: "udp", maxBufferSize: 0 });
    const before = statsd.received;
    client.increment("api.requests", 1, ["route:/a"]);
    client.increment("api.requests", 2, ["route:/a"]);
    client.increment("api.requests", 5, ["route:/b"]);
    client.gauge("queue.depth", 10);
    client.gauge("queue.depth", 4);
    client.gaugeDelta("queue.depth", 3);
    client.timing("db.query", 12);
    client.timing("db.query", 30);
    client.histogram("payload.bytes", 512, ["kind:json"]);
    client.unique("visitors", "ada");
    client.unique("visitors", "bob");
    client.unique("visitors", "ada");
    await new Promise<void>((r) => client.close(() => r()));
    await received(before, 12);
    await statsd.flush();
    const got = points(p.product.id);
    const at = got[0]!.tsMs;
    expect(got.every((x) => x.tsMs === at)).toBe(true);
    expect(got.map(({ metric, value, tags }) => ({ metric, value, tags }))).toEqual([
      { metric: "api.requests", value: 3, tags: { route: "/a" } },
      { metric: "api.requests", value: 5, tags: { route: "/b" } },
      { metric: "db.query.count", value: 2, tags: {} },
      { metric: "db.query.max", value: 30, tags: {} },
      { metric: "db.query.min", value: 12, tags: {} },
      { metric: "db.query.sum", value: 42, tags: {} },
      { metric: "payload.bytes.count", value: 1, tags: { kind: "json" } },
      { metric: "payload.bytes.max", value: 512, tags: { kind: "json" } },
      { metric: "payload.bytes.min", value: 512, tags: { kind: "json" } },
      { metric: "payload.bytes.sum", value: 512, tags: { kind: "json" } },
      { metric: "queue.depth", value: 7, tags: {} },
      { metric: "visitors", value: 2, tags: {} },
    ]);
  });

  test("sample rates scale counts; bad lines are dropped, the good ones of the same packet kept; the last interval is written at shutdown", async () => {
    const own = await createTestDeps({ env: { STATSD_PORT: "0", STATSD_KEY: "x" } });
    const q = await makeProductWithKeys(own.deps);
    own.deps.config.statsd!.key = q.ingestKey;
    const server = startServer(own.deps, { port: 0, host: "127.0.0.1" });
    const udp = (await server.statsd)!;
    const refusedBefore = dropsOf("statsd_invalid_line");
    const sock = await Bun.udpSocket({});
    sock.send("hits:1|c|@0.1\nhits:1|c|@0.5|#env:prod\nbad name :1|c\nevent:x:1|c\nt:5|ms|@0.5\nnope|c\n_e{1,1}:a|b\ngauge:-2|g", udp.port, "127.0.0.1");
    sock.close();
    for (let i = 0; i < 400 && udp.received < 7; i++) await Bun.sleep(5);
    await server.stop(); // the SIGTERM path: the interval is written before the writer drains
    expect(dropsOf("statsd_invalid_line") - refusedBefore).toBe(3); // counted for GET /metrics
    // stop() closed the services; read the file itself.
    const { Database } = await import("bun:sqlite");
    const db = new Database(`${own.dataDir}/litekpi.db`, { readonly: true });
    const got = db
      .query(`SELECT s.metric, p.value FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ? ORDER BY s.metric, p.value`)
      .all(q.product.id);
    db.close();
    expect(got).toEqual([
      { metric: "gauge", value: -2 },
      { metric: "hits", value: 2 },
      { metric: "hits", value: 10 },
      { metric: "t.count", value: 2 },
      { metric: "t.max", value: 5 },
      { metric: "t.min", value: 5 },
      { metric: "t.sum", value: 5 },
    ]);
    await own.close().catch(() => {});
  });

  test("STATSD_PORT without STATSD_KEY stops start-up naming the variable", () => {
    expect(() => loadConfig({ STATSD_PORT: "8125" })).toThrow(ConfigError);
    expect(() => loadConfig({ STATSD_PORT: "8125" })).toThrow(/STATSD_KEY/);
    expect(loadConfig({}).statsd).toBeUndefined();
  });
});

describe("the aggregation against a naive reference", () => {
  // Names carry their type (c1, g2, t1, s2…) so each metric name belongs to one kind.
  const sample = fc.record({
    type: fc.constantFrom("counter", "gauge", "timer", "set") as fc.Arbitrary<StatsdSample["type"]>,
    n: fc.constantFrom(1, 2),
    value: fc.integer({ min: -1000, max: 1000 }),
    delta: fc.boolean(),
    rate: fc.constantFrom(1, 0.5, 0.25),
    member: fc.constantFrom("x", "y", "z"),
  });
  test("counters sum value/rate, gauges apply changes in order, timers summarise, sets count distinct", () => {
    fc.assert(
      fc.property(fc.array(sample, { maxLength: 60 }), (list) => {
        const named = list.map((s) => ({ ...s, name: `${s.type[0]}${s.n}` }));
        const agg = new StatsdAggregator();
        for (const s of named) {
          agg.add({ name: s.name, type: s.type, value: s.value, rate: s.rate, tags: {}, ...(s.type === "gauge" && s.delta ? { delta: true } : {}), ...(s.type === "set" ? { member: s.member } : {}) });
        }
        const got = Object.fromEntries(agg.drain(1).map((x) => [x.metric, x.value]));
        const want: Record<string, number> = {};
        for (const name of new Set(named.map((s) => s.name))) {
          const of = named.filter((s) => s.name === name);
          const type = of[0]!.type;
          if (type === "counter") want[name] = of.reduce((t, s) => t + s.value / s.rate, 0);
          if (type === "gauge") want[name] = of.reduce((g, s) => (s.delta ? g + s.value : s.value), 0);
          if (type === "set") want[name] = new Set(of.map((s) => s.member)).size;
          if (type === "timer") {
            want[`${name}.count`] = of.reduce((t, s) => t + 1 / s.rate, 0);
            want[`${name}.sum`] = of.reduce((t, s) => t + s.value, 0);
            want[`${name}.min`] = Math.min(...of.map((s) => s.value));
            want[`${name}.max`] = Math.max(...of.map((s) => s.value));
          }
        }
        expect(got).toEqual(want);
      }),
    );
  });

  test("line syntax: rates, tags, events skipped, problems named", () => {
    expect(parseStatsdLine("a.b:1.5|ms|@0.5|#env:prod,canary")).toEqual({ name: "a.b", type: "timer", value: 1.5, rate: 0.5, tags: { env: "prod", canary: "true" } });
    expect(parseStatsdLine("g:+3|g")).toEqual({ name: "g", type: "gauge", value: 3, rate: 1, tags: {}, delta: true });
    expect(parseStatsdLine("u:ada|s")).toEqual({ name: "u", type: "set", value: 1, member: "ada", rate: 1, tags: {} });
    expect(parseStatsdLine("_e{5,4}:title|text")).toEqual({ skip: true });
    expect(parseStatsdLine("a:1|x")).toEqual({ problem: 'unknown type "x" (c, g, ms, h, d or s)' });
    expect(parseStatsdLine("a:1|c|@2")).toEqual({ problem: 'sample rate must be in (0, 1], got "2"' });
    expect(parseStatsdLine("a:NaN|c")).toEqual({ problem: 'value must be a number, got "NaN"' });
    expect("problem" in parseStatsdLine("a:1|c|#bad key:v")).toBe(true);
  });
});
