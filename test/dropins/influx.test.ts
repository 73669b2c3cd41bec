import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { HttpError, InfluxDB, Point, setLogger } from "@influxdata/influxdb-client";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { parseLineProtocol } from "../../src/dropins/influx/line-protocol";
import { query, storedPoints } from "./support";

// The client logs each failed write; the tests below assert on those failures themselves.
setLogger({ error: () => {}, warn: () => {} });

let server: TestServer;
let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
beforeAll(async () => {
  server = await startTestServer();
  p = await makeProductWithKeys(server.deps);
});
afterAll(() => server.stop());

const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const clientOf = (token: string) => new InfluxDB({ url: server.url, token });

describe("InfluxDB's own client (@influxdata/influxdb-client) through its WriteApi", () => {
  test("each field becomes <measurement>.<field> (value → <measurement>), tags stay tags, read back through /api/v1/query", async () => {
    const own = await makeProductWithKeys(server.deps);
    const write = clientOf(own.ingestKey).getWriteApi("my-org", "my-bucket", "ns", { maxRetries: 0 });
    write.writePoint(new Point("cpu").tag("host", "a b,c=d").floatField("value", 0.5).intField("cores", 8).timestamp(new Date(T)));
    write.writePoint(new Point("cpu").tag("host", "a b,c=d").floatField("value", 1.5).booleanField("throttled", true).stringField("note", "ignored, \"quoted\"").timestamp(new Date(T + 1000)));
    write.writePoint(new Point("disk free").uintField("bytes", 123456789).timestamp(new Date(T + 2000)));
    await write.close(); // flushes and resolves only after the 204
    const cpu = await query(server, own.readKey, { metric: "cpu", groupBy: ["host"] });
    expect(cpu.series.map((x: any) => [x.tags, x.value])).toEqual([[{ host: "a b,c=d" }, 2]]);
    expect((await query(server, own.readKey, { metric: "cpu.cores" })).value).toBe(8);
    expect((await query(server, own.readKey, { metric: "cpu.throttled" })).value).toBe(1);
    expect((await query(server, own.readKey, { metric: "disk free.bytes" })).value).toBe(123456789);
    const stored = storedPoints(server, own.product.id);
    expect(stored.map((s) => s.metric).sort()).toEqual(["cpu", "cpu", "cpu.cores", "cpu.throttled", "disk free.bytes"]);
    expect(stored.find((s) => s.metric === "cpu.cores")!.tsMs).toBe(T);
  });

  test("a gzipped batch (gzipThreshold 0) in ms precision arrives whole", async () => {
    const own = await makeProductWithKeys(server.deps);
    const write = clientOf(own.ingestKey).getWriteApi("o", "b", "ms", { gzipThreshold: 0, maxRetries: 0, batchSize: 5000 });
    for (let i = 0; i < 1000; i++) write.writeRecord(`req,route=/r${i % 5} value=${i} ${T + i}`);
    await write.close();
    const r = await query(server, own.readKey, { metric: "req", aggregation: "count" });
    expect(r.value).toBe(1000);
    expect((await query(server, own.readKey, { metric: "req", aggregation: "sum" })).value).toBe((999 * 1000) / 2);
  });

  test("a bad line: the client gets HttpError 400 naming the line, and nothing of the batch is stored", async () => {
    const own = await makeProductWithKeys(server.deps);
    const write = clientOf(own.ingestKey).getWriteApi("o", "b", "s", { maxRetries: 0 });
    write.writeRecords(["ok value=1 1768478400", "bad value=oops 1768478400", "ok value=2 1768478400"]);
    const err = await write.flush().then(() => null, (e) => e);
    await write.close().catch(() => {});
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).statusCode).toBe(400);
    expect(JSON.parse((err as HttpError).body!).message).toStartWith('unable to parse line 2: invalid value "oops" for field "value"');
    expect(storedPoints(server, own.product.id)).toEqual([]);
  });

  test("a wrong token is 401 to the client, a read key 403", async () => {
    for (const [token, status] of [["lk_nope", 401], [p.readKey, 403]] as const) {
      const write = clientOf(token).getWriteApi("o", "b", "ns", { maxRetries: 0 });
      write.writeRecord("m value=1");
      const err = await write.flush().then(() => null, (e) => e);
      await write.close().catch(() => {});
      expect((err as HttpError).statusCode).toBe(status);
    }
  });
});

describe("the raw endpoints", () => {
  const post = (path: string, body: BodyInit, headers: Record<string, string> = {}) => server.fetch(path, { method: "POST", body, headers });

  test("v1 /write: the key as ?p=, as Basic auth password, or a Token header; precision s, m, h, u, n", async () => {
    const own = await makeProductWithKeys(server.deps);
    const s = T / 1000;
    const cases: [string, Record<string, string>, string][] = [
      [`/write?db=x&u=me&p=${own.ingestKey}&precision=s`, {}, `v1 value=1 ${s}`],
      ["/write?db=x&precision=m", { Authorization: `Basic ${btoa(`me:${own.ingestKey}`)}` }, `v1 value=2 ${s / 60}`],
      ["/write?db=x&precision=h", { Authorization: `Token ${own.ingestKey}` }, `v1 value=3 ${s / 3600}`],
      ["/write?db=x&precision=u", { Authorization: `Token ${own.ingestKey}` }, `v1 value=4 ${T * 1000}`],
      ["/write?db=x", { Authorization: `Token ${own.ingestKey}` }, `v1 value=5 ${T}000000`],
    ];
    for (const [path, headers, line] of cases) {
      const res = await post(path, line, headers);
      expect([path, res.status, await res.text()]).toEqual([path, 204, ""]);
    }
    expect(storedPoints(server, own.product.id).map((x) => [x.value, x.tsMs])).toEqual([1, 2, 3, 4, 5].map((v) => [v, T]));
  });

  test("Content-Encoding: gzip is inflated; a body inflating past 1 MiB is 413 and stores nothing", async () => {
    const own = await makeProductWithKeys(server.deps);
    const auth = { Authorization: `Token ${own.ingestKey}`, "Content-Encoding": "gzip" };
    expect((await post("/api/v2/write?precision=ms", gzipSync(`gz value=7 ${T}\n`), auth)).status).toBe(204);
    const bomb = gzipSync(`gz value=1 ${T}\n` + "#".repeat(2 * 1024 * 1024));
    const res = await post("/api/v2/write?precision=ms", bomb, auth);
    expect(res.status).toBe(413);
    expect(storedPoints(server, own.product.id).map((x) => x.value)).toEqual([7]);
  });

  test("errors: each bad line is listed with its 0-based line index; precision and line limits", async () => {
    const auth = { Authorization: `Token ${p.ingestKey}` };
    const body = ["# a comment", "ok value=1", "m,bad key=v value=1", "m value=1 99999999999999999999", "event:x,k=v value=1", "m value=1i2"].join("\n");
    const res = await post("/api/v2/write?precision=ms", body, auth);
    expect(res.status).toBe(400);
    const j: any = await res.json();
    expect(j.error).toBe("invalid_points");
    expect(j.message).toStartWith("unable to parse line 3: missing tag value");
    expect(j.message).toEndWith("(and 3 more bad lines); nothing was stored");
    expect(j.errors.map((e: any) => [e.index, e.field])).toEqual([[2, "tags.bad"], [3, "timestamp"], [4, "fields.value"], [5, "fields.value"]]);
    const bad = await post("/api/v2/write?precision=m", "m value=1", auth);
    expect([bad.status, ((await bad.json()) as any).field]).toEqual([400, "precision"]);
    const many = await post("/api/v2/write", Array.from({ length: 1001 }, (_, i) => `m value=${i}`).join("\n"), auth);
    expect(many.status).toBe(400);
    expect(((await many.json()) as any).errors).toEqual([{ index: null, field: null, message: "At most 1000 lines per request; split the batch" }]);
  });

  test("syntax: comments, CRLF, escapes, booleans, precisions, rounding of nanoseconds", () => {
    const now = Date.UTC(2026, 0, 1);
    const body = [
      "# comment",
      "",
      "my\\ meas\\,x,k=a\\=b\\,c\\ d value=1 1767225600123456789\r",
      "m  f=t,g=FALSE,h=-3i,u=7u,e=1.5e3   1767225600000000001",
      "m value=-1 -1",
    ].join("\n");
    const r = parseLineProtocol(body, "ns", now);
    expect(r.errors).toEqual([]);
    expect(r.points.map((x) => [x.metric, x.value, x.tsMs, { ...x.tags }])).toEqual([
      ["my meas,x", 1, 1767225600123, { k: "a=b,c d" }],
      ["m.f", 1, 1767225600000, {}],
      ["m.g", 0, 1767225600000, {}],
      ["m.h", -3, 1767225600000, {}],
      ["m.u", 7, 1767225600000, {}],
      ["m.e", 1500, 1767225600000, {}],
      ["m", -1, -1, {}],
    ]);
    // Integers past int64 / uint64 are refused as InfluxDB refuses them (400 digits would be Infinity).
    const huge = "9".repeat(400);
    for (const bad of ["m u=-1u", "m v=0x10", "m v=Infinity", "m v=1 12.5", "m v=1 1 extra", "m", "m v", ",t=1 v=1", `m v=${huge}i`, `m v=-${huge}i`, `m v=${huge}u`, "m v=99999999999999999999u"]) {
      expect([bad, parseLineProtocol(bad, "ms", now).errors.length]).toEqual([bad, 1]);
    }
  });

  test("a string field never runs past its line: an unterminated one is that line's error only", async () => {
    const r = parseLineProtocol('a s="open,v=1 1\nb value=2 1\n', "ms", Date.now());
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([[0, "fields.s"]]);
    expect(r.points.map((x) => [x.metric, x.value])).toEqual([["b", 2]]);
  });

  test("/query answers CREATE DATABASE (what Telegraf's 1.x output sends first) and refuses other InfluxQL", async () => {
    const create = await post(`/query?u=telegraf&p=${p.ingestKey}`, new URLSearchParams({ q: 'CREATE DATABASE "telegraf"' }));
    expect([create.status, await create.json()]).toEqual([200, { results: [{ statement_id: 0 }] }]);
    const select = await server.fetch(`/query?p=${p.ingestKey}&q=${encodeURIComponent("SELECT * FROM cpu")}`);
    expect([select.status, ((await select.json()) as any).error]).toEqual([400, "unsupported_query"]);
    expect((await post("/query", new URLSearchParams({ q: "CREATE DATABASE x" }))).status).toBe(401);
  });

  test("GET /ping answers 204 like InfluxDB", async () => {
    const res = await server.fetch("/ping");
    expect(res.status).toBe(204);
    expect(res.headers.get("X-Influxdb-Version")).toBeTruthy();
  });
});

describe("the parser against the client's own encoder (Point.toLineProtocol)", () => {
  // A name ending in a backslash cannot be written unambiguously (`k\=1`): the protocol's own gap.
  const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\u0000-\u001f\u007f-\u009f\n]/.test(s) && s.trim() === s && s.isWellFormed() && !s.startsWith("#") && !s.endsWith("\\"));
  const tagKey = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,10}$/).filter((k) => !["timestamp", "metric", "value", "__proto__"].includes(k));
  const tagValue = name;
  test("every point the client writes parses back to the same metric, value, tags and time", () => {
    fc.assert(
      fc.property(
        name.filter((m) => !m.startsWith("event:")),
        fc.dictionary(tagKey, tagValue, { maxKeys: 4 }),
        // The client keeps fields in a plain object, so it cannot write a field named __proto__.
        fc.dictionary(name.filter((f) => f !== "__proto__"), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.string()), { minKeys: 1, maxKeys: 4 }),
        fc.integer({ min: 0, max: 1_700_000_000_000 }),
        (measurement, tags, fields, ms) => {
          const point = new Point(measurement);
          for (const [k, v] of Object.entries(tags)) point.tag(k, v);
          for (const [k, v] of Object.entries(fields)) {
            if (typeof v === "boolean") point.booleanField(k, v);
            else if (typeof v === "string") point.stringField(k, v);
            else if (Number.isSafeInteger(v)) point.intField(k, v);
            else point.floatField(k, v);
          }
          point.timestamp(`${ms}000000`);
          const line = point.toLineProtocol()!;
          const r = parseLineProtocol(line, "ns", Date.now());
          expect(r.errors).toEqual([]);
          const expected = Object.entries(fields)
            .filter(([, v]) => typeof v !== "string")
            .map(([k, v]) => ({ metric: k === "value" ? measurement : `${measurement}.${k}`, value: typeof v === "boolean" ? Number(v) : Object.is(v, -0) ? 0 : v, tsMs: ms, tags }));
          const byMetric = (a: { metric: string }, b: { metric: string }) => (a.metric < b.metric ? -1 : 1);
          expected.sort(byMetric);
          expect(r.points.sort(byMetric).map((x) => ({ ...x, value: Object.is(x.value, -0) ? 0 : x.value, tags: { ...x.tags } }))).toEqual(expected as any);
        },
      ),
      { numRuns: 300 },
    );
  });
});
