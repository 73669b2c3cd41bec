import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeTenants, queryAs, sendPoints } from "./support";

/**
 * POST /api/v1/query and the discovery routes over the real server, with points sent through
 * POST /api/v1/points. The clock is fixed so `range` answers are exact.
 */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let t: Awaited<ReturnType<typeof makeTenants>>;
let readA: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  t = await makeTenants(server);
  readA = { Authorization: `Bearer ${t.a.readKey}` };
  await sendPoints(server, t.a.ingestKey, [
    { metric: "signups", value: 1, timestamp: "2026-03-01T00:00:00Z", tags: { plan: "pro", country: "US" } },
    { metric: "signups", value: 2, timestamp: "2026-03-01T10:00:00Z", tags: { plan: "free", country: "DE" } },
    { metric: "signups", value: 4, timestamp: "2026-03-03T23:59:59.999Z", tags: { plan: "pro" } },
    { metric: "signups", value: 8, timestamp: "2026-03-04T00:00:00Z", tags: { plan: "team", country: "US" } },
    { metric: "signups", value: 16, timestamp: "2026-03-02T12:00:00Z" },
    { metric: "revenue", value: 9.5, timestamp: "2026-03-02T12:00:00Z", tags: { plan: "pro" } },
    { metric: "response_ms", value: 120, timestamp: "2026-03-09T12:00:00Z", tags: { route: "/home" } },
  ]);
  await sendPoints(server, t.b.ingestKey, [{ metric: "signups", value: 1000, timestamp: "2026-03-01T00:00:00Z" }]);
});
afterAll(() => server.stop());

const body = (extra: Record<string, unknown> = {}) => ({ metric: "signups", aggregation: "sum", from: "2026-03-01T00:00:00Z", to: "2026-03-05T00:00:00Z", ...extra });

describe("who may query", () => {
  const cases: { name: string; headers: () => Record<string, string>; extra?: () => Record<string, unknown>; status: number; error?: string; field?: string }[] = [
    { name: "nobody", headers: () => ({}), status: 401, error: "unauthorized" },
    { name: "an ingest key", headers: () => ({ Authorization: `Bearer ${t.a.ingestKey}` }), status: 403, error: "insufficient_scope" },
    { name: "a revoked read key", headers: () => ({ Authorization: `Bearer ${t.revokedKey}` }), status: 401 },
    { name: "A's read key", headers: () => readA, status: 200 },
    { name: "A's read key naming A", headers: () => readA, extra: () => ({ product: t.a.product.id }), status: 200 },
    { name: "A's read key naming B", headers: () => readA, extra: () => ({ product: t.b.product.id }), status: 404, error: "not_found" },
    { name: "A's member naming A", headers: () => ({ Cookie: t.memberCookie }), extra: () => ({ product: t.a.product.id }), status: 200 },
    { name: "A's member naming nothing", headers: () => ({ Cookie: t.memberCookie }), status: 400, field: "product" },
    { name: "B's owner naming A", headers: () => ({ Cookie: t.ownerBCookie }), extra: () => ({ product: t.a.product.id }), status: 404, error: "not_found" },
    { name: "B's owner naming a made-up product", headers: () => ({ Cookie: t.ownerBCookie }), extra: () => ({ product: "nope" }), status: 404 },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.status}`, async () => {
      const res = await queryAs(server, c.headers(), body(c.extra?.() ?? {}));
      const json = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(c.status);
      if (c.error) expect(json.error).toBe(c.error);
      if (c.field) expect(json.field).toBe(c.field);
      if (c.status === 200) expect(json.value).toBe(31); // A's data only: B's 1000 never shows
      else expect(JSON.stringify(json)).not.toContain("Acme");
    });
  }

  test("a signed-in member must send JSON from our own origin (a cross-site page cannot)", async () => {
    const res = await server.fetch("/api/v1/query", {
      method: "POST",
      headers: { Cookie: t.memberCookie, "Content-Type": "text/plain" },
      body: JSON.stringify(body({ product: t.a.product.id })),
    });
    expect(res.status).toBe(415);
    const crossSite = await queryAs(server, { Cookie: t.memberCookie, Origin: "https://evil.example" }, body({ product: t.a.product.id }));
    expect(crossSite.status).toBe(403);
    const sameSite = await queryAs(server, { Cookie: t.memberCookie, Origin: server.url }, body({ product: t.a.product.id }));
    expect(sameSite.status).toBe(200);
  });
});

describe("invalid queries are 400 and name the field", () => {
  const cases: [string, unknown, string, string?][] = [
    ["unknown aggregation", body({ aggregation: "median" }), "aggregation"],
    ["unknown granularity", body({ granularity: "fortnight" }), "granularity"],
    ["from after to", body({ from: "2026-03-05T00:00:00Z", to: "2026-03-01T00:00:00Z" }), "from"],
    ["bad time zone", body({ timezone: "Mars/Olympus" }), "timezone"],
    ["range with from/to", body({ range: "7d" }), "range"],
    ["no time at all", { metric: "signups", aggregation: "sum" }, "range"],
    ["from without to", { metric: "signups", aggregation: "sum", from: "2026-03-01T00:00:00Z" }, "to"],
    ["a date without a time", body({ from: "2026-03-01" }), "from"],
    ["a number for a time", body({ to: 1772668800000 }), "to"],
    ["a bad range", { metric: "signups", aggregation: "sum", range: "7x" }, "range"],
    ["ten years by the minute", body({ granularity: "minute", from: "2016-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }), "granularity", "query_too_large"],
    ["an unknown field", body({ aggregate: "sum" }), "aggregate"],
    ["a bad tag key in filters", body({ filters: { "bad key": "x" } }), "filters.bad key"],
    ["an empty one-of filter", body({ filters: { plan: [] } }), "filters.plan"],
    ["groupBy not a list", body({ groupBy: "plan" }), "groupBy"],
    ["groupLimit zero", body({ groupLimit: 0 }), "groupLimit"],
    ["no metric", { aggregation: "sum", range: "7d" }, "metric"],
  ];
  for (const [name, query, field, code] of cases) {
    test(name, async () => {
      const res = await queryAs(server, readA, query);
      const json = (await res.json()) as { error: string; field: string; message: string };
      expect(res.status).toBe(400);
      expect(json.field).toBe(field);
      expect(json.error).toBe(code ?? "invalid_query");
      expect(json.message.length).toBeGreaterThan(5);
    });
  }

  test("a body that is not JSON", async () => {
    const res = await queryAs(server, readA, "{nope");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_json");
  });
});

describe("answers", () => {
  const run = async (extra: Record<string, unknown>) => {
    const res = await queryAs(server, readA, body(extra));
    expect(res.status).toBe(200);
    return (await res.json()) as { series: { tags: Record<string, string>; points: { t: string; v: number | null }[]; value?: number | null }[]; value?: number | null; from: string; to: string };
  };

  test("daily sums in the query's zone; empty buckets are 0 for sum/count and null for avg/min/max", async () => {
    const sum = await run({ granularity: "day" });
    expect(sum.series).toHaveLength(1);
    expect(sum.series[0]!.tags).toEqual({});
    expect(sum.series[0]!.points).toEqual([
      { t: "2026-03-01T00:00:00+00:00", v: 3 },
      { t: "2026-03-02T00:00:00+00:00", v: 16 },
      { t: "2026-03-03T00:00:00+00:00", v: 4 },
      { t: "2026-03-04T00:00:00+00:00", v: 8 },
    ]);
    const empty = { from: "2026-03-05T00:00:00Z", to: "2026-03-06T00:00:00Z", granularity: "hour" };
    for (const [aggregation, v] of [["sum", 0], ["count", 0], ["avg", null], ["min", null], ["max", null]] as const) {
      const r = await run({ ...empty, aggregation });
      expect(r.series[0]!.points).toHaveLength(24);
      expect(r.series[0]!.points.every((p) => p.v === v)).toBe(true);
    }
    const berlin = await run({ granularity: "day", timezone: "Europe/Berlin", aggregation: "count" });
    // 00:00Z and 10:00Z on 1 March are both 1 March in Berlin; that day starts at 23:00Z the day before.
    expect(berlin.series[0]!.points[0]).toEqual({ t: "2026-03-01T00:00:00+01:00", v: 2 });
  });

  test("ranges are half-open: a point at `from` counts, a point at `to` does not", async () => {
    expect((await run({ from: "2026-03-04T00:00:00Z", to: "2026-03-04T00:00:00.001Z" })).value).toBe(8);
    expect((await run({ from: "2026-03-03T00:00:00Z", to: "2026-03-04T00:00:00Z" })).value).toBe(4);
    expect((await run({ from: "2026-03-03T23:59:59.999Z", to: "2026-03-04T00:00:00Z", aggregation: "count" })).value).toBe(1);
    expect((await run({ from: "2026-03-04T00:00:00Z", to: "2026-03-04T00:00:00Z" })).value).toBe(0);
  });

  test("filters: equals, one of, and not (which keeps points without the tag)", async () => {
    expect((await run({ filters: { plan: "pro" } })).value).toBe(5);
    expect((await run({ filters: { plan: ["pro", "team"] } })).value).toBe(13);
    expect((await run({ filters: { country: { not: "US" } } })).value).toBe(2 + 4 + 16);
    expect((await run({ filters: { plan: "nope" } })).value).toBe(0);
  });

  test("groupBy: points without the key form the group \"\", groupLimit folds the rest into __other__", async () => {
    const all = await run({ groupBy: ["plan"] });
    expect(all.value).toBeUndefined();
    expect(all.series.map((s) => [s.tags, s.value])).toEqual([
      [{ plan: "" }, 16],
      [{ plan: "team" }, 8],
      [{ plan: "pro" }, 5],
      [{ plan: "free" }, 2],
    ]);
    const top = await run({ groupBy: ["plan"], groupLimit: 2, granularity: "day" });
    expect(top.series.map((s) => s.tags)).toEqual([{ plan: "" }, { plan: "team" }, { plan: "__other__" }]);
    expect(top.series[2]!.points.map((p) => p.v)).toEqual([3, 0, 4, 0]);
  });

  test("range: to is now, from is N calendar units back in the zone; both are echoed", async () => {
    const r = await run({ from: undefined, to: undefined, range: "7d", timezone: "America/New_York" });
    expect(r.from).toBe("2026-03-03T08:00:00-05:00"); // 08:00 local a week before, across the DST switch
    expect(r.to).toBe("2026-03-10T08:00:00-04:00");
    expect(r.value).toBe(12); // the points of 3 March 23:59:59.999Z and 4 March
    const res = await queryAs(server, readA, { metric: "response_ms", aggregation: "max", range: "24h" });
    expect(((await res.json()) as { value: number }).value).toBe(120);
  });
});

describe("discovery for pickers", () => {
  const get = async (path: string, headers: Record<string, string> = readA) => {
    const res = await server.fetch(path, { headers });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  test("metrics, tag keys and tag values (with prefix), only of the asking product", async () => {
    expect((await get("/api/v1/metrics")).json).toEqual({ metrics: ["response_ms", "revenue", "signups"], definitions: [] });
    expect((await get("/api/v1/metrics?prefix=re")).json).toEqual({ metrics: ["response_ms", "revenue"], definitions: [] });
    expect((await get("/api/v1/metrics/signups/tags")).json).toEqual({ metric: "signups", keys: ["country", "plan"] });
    expect((await get("/api/v1/metrics/signups/tags/plan/values")).json).toEqual({ metric: "signups", key: "plan", values: ["free", "pro", "team"] });
    expect((await get("/api/v1/metrics/signups/tags/plan/values?prefix=t")).json.values).toEqual(["team"]);
    expect((await get("/api/v1/metrics/signups/tags/plan/values?prefix=%25")).json.values).toEqual([]);
    expect((await get(`/api/v1/metrics/${encodeURIComponent("response_ms")}/tags/route/values`)).json.values).toEqual(["/home"]);
  });

  test("members name the product; strangers and ingest keys are turned away", async () => {
    expect((await get(`/api/v1/metrics?product=${t.a.product.id}`, { Cookie: t.memberCookie })).json.metrics).toContain("signups");
    expect((await get(`/api/v1/metrics?product=${t.a.product.id}`, { Cookie: t.ownerBCookie })).status).toBe(404);
    expect((await get(`/api/v1/metrics?product=${t.b.product.id}`)).status).toBe(404);
    expect((await get("/api/v1/metrics", { Authorization: `Bearer ${t.a.ingestKey}` })).status).toBe(403);
    expect((await get("/api/v1/metrics", {})).status).toBe(401);
  });
});
