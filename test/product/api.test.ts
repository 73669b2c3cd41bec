import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { createKey } from "../../src/products/keys";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeTenants } from "../query/support";

/**
 * seed 002's event endpoints over the real server: /events/batch, /metrics/query, /events/query
 * and saved metrics, with keys and members of two products.
 */
const NOW = Date.parse("2026-03-10T12:00:00Z");
let server: TestServer;
let t: Awaited<ReturnType<typeof makeTenants>>;
let manageKey: string;

const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
  const res = await server.fetch(path, { method, headers: { "Content-Type": "application/json", ...headers }, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
};
const bearer = (k: string) => ({ Authorization: `Bearer ${k}` });

beforeAll(async () => {
  server = await startTestServer({ clock: fixedClock(NOW) });
  t = await makeTenants(server);
  manageKey = createKey(server.deps.db, { productId: t.a.product.id, scope: "manage" }, NOW).secret;
  const events = [
    { event: "signup", namespace: "product", timestamp: "2026-03-01T10:00:00Z", properties: { plan: "pro" }, context: { user_id: "u1", org_id: "o1" } },
    { event: "signup", namespace: "product", timestamp: "2026-03-01T23:30:00Z", properties: { plan: "free" }, context: { user_id: "u2", org_id: "o1" } },
    { event: "signup", namespace: "product", timestamp: "2026-03-02T08:00:00Z", properties: { plan: "pro" }, context: { user_id: "u3", org_id: "o2" } },
    { event: "purchase", namespace: "billing", timestamp: "2026-03-02T09:00:00Z", properties: { amount: 49, plan: "pro" }, context: { user_id: "u1", org_id: "o1" } },
    { event: "purchase", namespace: "billing", timestamp: "2026-03-03T09:00:00Z", properties: { amount: 10.5, plan: "pro" }, context: { user_id: "u1", org_id: "o1" } },
    { event: "purchase", namespace: "billing", timestamp: "2026-03-03T10:00:00Z", properties: { amount: 20, plan: "free" }, context: { user_id: "u2", org_id: "o1" } },
  ];
  const res = await call("POST", "/api/v1/events/batch", bearer(t.a.ingestKey), { events });
  if (res.status !== 200) throw new Error(JSON.stringify(res.json));
  await call("POST", "/api/v1/events/batch", bearer(t.b.ingestKey), { events: [{ event: "signup", timestamp: "2026-03-01T10:00:00Z", context: { user_id: "intruder" } }] });
});
afterAll(() => server.stop());

describe("POST /api/v1/events/batch", () => {
  test("takes { events: [...] } with the same validation: a bad event stores nothing and names index and field", async () => {
    const before = await call("POST", "/api/v1/events/query", bearer(t.a.readKey), { filter: { timeRange: "30d" } });
    const bad = await call("POST", "/api/v1/events/batch", bearer(t.a.ingestKey), { events: [{ event: "ok" }, { event: "x", bogus: 1 }] });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: "invalid_events", errors: [{ index: 1, field: "bogus" }] });
    const after = await call("POST", "/api/v1/events/query", bearer(t.a.readKey), { filter: { timeRange: "30d" } });
    expect(after.json.total).toBe(before.json.total);
  });

  test("needs an ingest key; over 1000 events is one whole-body error", async () => {
    expect((await call("POST", "/api/v1/events/batch", bearer(t.a.readKey), { events: [{ event: "x" }] })).status).toBe(403);
    expect((await call("POST", "/api/v1/events/batch", {}, { events: [{ event: "x" }] })).status).toBe(401);
    const many = await call("POST", "/api/v1/events/batch", bearer(t.a.ingestKey), { events: Array.from({ length: 1001 }, () => ({ event: "x" })) });
    expect(many.status).toBe(400);
    expect(many.json.errors).toEqual([{ index: null, field: null, message: expect.stringContaining("1000") }]);
  });

  test("Idempotency-Key replays the first answer and stores once", async () => {
    const body = { events: [{ event: "retry_me", timestamp: "2026-03-05T00:00:00Z" }, { event: "retry_me", timestamp: "2026-03-05T00:00:01Z" }] };
    const first = await call("POST", "/api/v1/events/batch", { ...bearer(t.a.ingestKey), "Idempotency-Key": "batch-1" }, body);
    const again = await call("POST", "/api/v1/events/batch", { ...bearer(t.a.ingestKey), "Idempotency-Key": "batch-1" }, body);
    expect(first.json).toEqual({ accepted: 2 });
    expect(again.json).toEqual({ accepted: 2 });
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    const q = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "retries", filter: { event: "retry_me" } });
    expect(q.json.value).toBe(2);
  });
});

describe("POST /api/v1/metrics/query", () => {
  const range = { start: "2026-03-01T00:00:00Z", end: "2026-03-04T00:00:00Z" };

  test("seed 002's example: distinct users per day, keyed YYYY-MM-DD, with rows and metadata", async () => {
    const res = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), {
      metric: "active_users", filter: { timeRange: range }, groupBy: ["day"], aggregation: "distinct", aggregationField: "user_id", timezone: "UTC",
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      metric: "active_users",
      value: { "2026-03-01": 2, "2026-03-02": 2, "2026-03-03": 2 },
      rows: [{ day: "2026-03-01", value: 2 }, { day: "2026-03-02", value: 2 }, { day: "2026-03-03", value: 2 }],
      metadata: { cached: false, queryTime: expect.stringMatching(/^\d+ms$/) },
    });
  });

  test("a zone moves events across days; hour keys carry the offset", async () => {
    const day = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "s", filter: { event: "signup", timeRange: range }, groupBy: ["day"], timezone: "Europe/Berlin" });
    // Berlin days of the UTC range: its last hour is already 4 March there.
    expect(day.json.value).toEqual({ "2026-03-01": 1, "2026-03-02": 2, "2026-03-03": 0, "2026-03-04": 0 });
    const hour = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), {
      metric: "s", filter: { event: "signup", timeRange: { start: "2026-03-01T09:00:00Z", end: "2026-03-01T11:00:00Z" } }, groupBy: ["hour"], timezone: "Europe/Berlin",
    });
    expect(hour.json.value).toEqual({ "2026-03-01T10:00:00+01:00": 0, "2026-03-01T11:00:00+01:00": 1 });
  });

  test("sum by property and context field, joined with | in groupBy order; filters on properties and context", async () => {
    const res = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), {
      metric: "revenue", filter: { namespace: "billing", timeRange: range }, groupBy: ["org_id", "plan"], aggregation: "sum", aggregationField: "amount",
    });
    expect(res.json.value).toEqual({ "o1|free": 20, "o1|pro": 59.5 });
    expect(res.json.rows).toEqual([{ org_id: "o1", plan: "free", value: 20 }, { org_id: "o1", plan: "pro", value: 59.5 }]);
    const filtered = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "pro", filter: { timeRange: range, properties: { plan: "pro", org_id: ["o1"] } } });
    expect(filtered.json.value).toBe(3);
  });

  test("orderBy and limit", async () => {
    const res = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), {
      metric: "by_user", filter: { timeRange: range }, groupBy: ["user_id"], orderBy: { field: "value", direction: "desc" }, limit: 1,
    });
    expect(res.json.rows).toEqual([{ user_id: "u1", value: 3 }]);
    expect(res.json.metadata.truncated).toBe(true);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ["sum without a field", { aggregation: "sum" }, "aggregationField"],
    ["unknown aggregation", { aggregation: "median", aggregationField: "x" }, "aggregation"],
    ["two time units", { groupBy: ["day", "hour"] }, "groupBy"],
    ["bad time range", { filter: { timeRange: { start: "yesterday", end: "2026-03-01T00:00:00Z" } } }, "filter.timeRange.start"],
    ["unknown filter key", { filter: { evnt: "x" } }, "filter.evnt"],
    ["orderBy a field not grouped", { orderBy: { field: "plan" } }, "orderBy.field"],
    ["bad zone", { timezone: "Mars/Base" }, "timezone"],
    ["a field name with a quote", { groupBy: ['a"b'] }, "groupBy.0"],
  ];
  for (const [name, extra, field] of bad) {
    test(`400 invalid_query: ${name}`, async () => {
      const res = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "m", ...extra });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ error: "invalid_query", field });
    });
  }

  test("who may ask: read key, member naming the product; never another product's data", async () => {
    const body = { metric: "m", filter: { event: "signup", timeRange: range } };
    expect((await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), body)).json.value).toBe(3);
    expect((await call("POST", "/api/v1/metrics/query", { Cookie: t.memberCookie }, { ...body, product: t.a.product.id })).json.value).toBe(3);
    expect((await call("POST", "/api/v1/metrics/query", { Cookie: t.ownerBCookie }, { ...body, product: t.a.product.id })).status).toBe(404);
    expect((await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { ...body, product: t.b.product.id })).status).toBe(404);
    expect((await call("POST", "/api/v1/metrics/query", bearer(t.a.ingestKey), body)).status).toBe(403);
    expect((await call("POST", "/api/v1/metrics/query", {}, body)).status).toBe(401);
  });
});

describe("POST /api/v1/events/query", () => {
  test("filters, order both ways, totals and the event's JSON", async () => {
    const res = await call("POST", "/api/v1/events/query", bearer(t.a.readKey), { filter: { event: "purchase", properties: { plan: "pro" }, timeRange: { start: "2026-03-01T00:00:00Z", end: "2026-03-10T00:00:00Z" } }, orderBy: { field: "timestamp", direction: "asc" } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ total: 2, limit: 100, offset: 0 });
    expect(res.json.events.map((e: { timestamp: string }) => e.timestamp)).toEqual(["2026-03-02T09:00:00.000Z", "2026-03-03T09:00:00.000Z"]);
    expect(res.json.events[0]).toMatchObject({ event: "purchase", namespace: "billing", properties: { amount: 49, plan: "pro" }, context: { user_id: "u1", org_id: "o1" } });
    const desc = await call("POST", "/api/v1/events/query", bearer(t.a.readKey), { filter: { event: "purchase", properties: { plan: "pro" }, timeRange: "30d" } });
    expect(desc.json.events.map((e: { timestamp: string }) => e.timestamp)).toEqual(["2026-03-03T09:00:00.000Z", "2026-03-02T09:00:00.000Z"]);
    expect(JSON.stringify(desc.json)).not.toContain("intruder");
  });

  test("pages stay stable while events keep arriving (asOf), in both directions", async () => {
    const { product, ingestKey, readKey } = await import("../helpers/factories").then((f) => f.makeProductWithKeys(server.deps));
    void product;
    const stamp = (i: number) => new Date(Date.parse("2026-03-05T00:00:00Z") + (i % 50) * 60_000).toISOString();
    await call("POST", "/api/v1/events/batch", bearer(ingestKey), { events: Array.from({ length: 200 }, (_, i) => ({ event: "tick", timestamp: stamp(i), properties: { i } })) });
    for (const direction of ["asc", "desc"] as const) {
      const seen: number[] = [];
      let asOf: string | undefined;
      let total = -1;
      for (let offset = 0; ; offset += 30) {
        // Meanwhile more events land at the same times, before and after the page read.
        const writing = call("POST", "/api/v1/events/batch", bearer(ingestKey), { events: Array.from({ length: 20 }, (_, i) => ({ event: "tick", timestamp: stamp(i * 7 + offset), properties: { i: 10_000 + offset * 100 + i } })) });
        const page = await call("POST", "/api/v1/events/query", bearer(readKey), { filter: { event: "tick", timeRange: "30d" }, limit: 30, offset, orderBy: { field: "timestamp", direction }, ...(asOf ? { asOf } : {}) });
        await writing;
        asOf ??= page.json.asOf;
        if (total < 0) total = page.json.total;
        expect(page.json.total).toBe(total);
        seen.push(...page.json.events.map((e: { properties: { i: number } }) => e.properties.i));
        if (page.json.events.length < 30) break;
      }
      expect(seen.length).toBe(total);
      expect(new Set(seen).size).toBe(total);
      expect(total).toBeGreaterThanOrEqual(200);
    }
  });
});

describe("saved metrics", () => {
  const definition = { name: "pro_signups", description: "Signups on the pro plan", query: { filter: { event: "signup", properties: { plan: "pro" } }, groupBy: ["day"] } };

  test("create with a manage key or as a member, list, get (runs it), use by name in metrics/query, update, delete", async () => {
    expect((await call("POST", "/api/v1/metrics", bearer(t.a.readKey), definition)).status).toBe(403);
    const created = await call("POST", "/api/v1/metrics", bearer(manageKey), definition);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "pro_signups", description: "Signups on the pro plan", query: definition.query });
    expect((await call("POST", "/api/v1/metrics", bearer(manageKey), definition)).status).toBe(409);
    const list = await call("GET", "/api/v1/metrics", bearer(t.a.readKey));
    expect(list.json.definitions.map((d: { name: string }) => d.name)).toEqual(["pro_signups"]);
    expect((await call("GET", `/api/v1/metrics?product=${t.b.product.id}`, { Cookie: t.ownerBCookie })).json.definitions).toEqual([]);

    const got = await call("GET", "/api/v1/metrics/pro_signups?start=2026-03-01T00:00:00Z&end=2026-03-03T00:00:00Z&timezone=UTC", bearer(t.a.readKey));
    expect(got.json).toMatchObject({ metric: "pro_signups", value: { "2026-03-01": 1, "2026-03-02": 1 }, definition: { name: "pro_signups" } });
    const byName = await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "pro_signups", filter: { timeRange: { start: "2026-03-01T00:00:00Z", end: "2026-03-03T00:00:00Z" } }, groupBy: [] });
    expect(byName.json.value).toBe(2);

    const member = await call("PATCH", "/api/v1/metrics/pro_signups", { Cookie: t.memberCookie, Origin: server.url }, { product: t.a.product.id, description: "Pro plan signups" });
    expect(member.status).toBe(200);
    expect(member.json.description).toBe("Pro plan signups");
    const broken = await call("PUT", "/api/v1/metrics/pro_signups", bearer(manageKey), { query: { aggregation: "sum" } });
    expect(broken).toMatchObject({ status: 400, json: { field: "query.aggregationField" } });
    expect((await call("DELETE", "/api/v1/metrics/pro_signups", bearer(t.b.readKey))).status).toBe(403);
    expect((await call("DELETE", `/api/v1/metrics/pro_signups?product=${t.a.product.id}`, { Cookie: t.ownerBCookie, Origin: server.url })).status).toBe(404);
    expect((await call("DELETE", "/api/v1/metrics/pro_signups", bearer(manageKey))).status).toBe(204);
    expect((await call("GET", "/api/v1/metrics/pro_signups", bearer(t.a.readKey))).status).toBe(404);
  });
});

describe("insights API", () => {
  const timeRange = { start: "2026-03-01T00:00:00Z", end: "2026-03-04T00:00:00Z" };
  test("active users per day, retention cohorts and sessions; access as for queries", async () => {
    const au = await call("POST", "/api/v1/insights/active-users", bearer(t.a.readKey), { filter: { timeRange }, timezone: "UTC" });
    expect(au.status).toBe(200);
    expect(au.json.days.map((d: { date: string; dau: number; wau: number }) => [d.date, d.dau, d.wau])).toEqual([["2026-03-01", 2, 2], ["2026-03-02", 2, 3], ["2026-03-03", 2, 3]]);
    const ret = await call("POST", "/api/v1/insights/retention", bearer(t.a.readKey), { startEvent: "signup", returnEvent: "purchase", period: "day", filter: { timeRange }, timezone: "UTC" });
    expect(ret.json.cohorts[0]).toEqual({ cohort: "2026-03-01", users: 2, retained: [2, 1, 2], rates: [1, 0.5, 1], churned: [0, 1, 0] });
    const ses = await call("POST", "/api/v1/insights/sessions", bearer(t.a.readKey), { filter: { timeRange }, groupBy: "day", timezone: "UTC" });
    // Every event of the fixture is more than 30 minutes from its user's next one: six one-event sessions.
    expect(ses.json).toMatchObject({ sessions: 6, bounces: 6, bounceRate: 1, averageSeconds: 0, unattributed: 0 });
    expect(ses.json.rows.map((r: { start: string }) => r.start)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
    expect((await call("POST", "/api/v1/insights/retention", bearer(t.a.readKey), { period: "fortnight" })).json).toMatchObject({ error: "invalid_query", field: "period" });
    expect((await call("POST", "/api/v1/insights/active-users", { Cookie: t.ownerBCookie }, { product: t.a.product.id })).status).toBe(404);
    expect((await call("POST", "/api/v1/insights/sessions", bearer(t.a.ingestKey), {})).status).toBe(403);
  });
});

describe("namespace schemas", () => {
  test("an enforced namespace refuses events that break it (400 naming the field, nothing stored); ?partial=1 stores the rest", async () => {
    const put = await call("PUT", "/api/v1/namespaces/checkout/schema", bearer(manageKey), { properties: { amount: { type: "number", required: true }, currency: { type: "string" } }, additionalProperties: false });
    expect(put.status).toBe(200);
    expect((await call("PUT", "/api/v1/namespaces/checkout/schema", bearer(t.a.readKey), { properties: {} })).status).toBe(403);
    const bad = await call("POST", "/api/v1/events/batch", bearer(t.a.ingestKey), { events: [
      { event: "paid", namespace: "checkout", properties: { amount: 5, currency: "EUR" } },
      { event: "paid", namespace: "checkout", properties: { amount: "5" } },
      { event: "paid", namespace: "checkout", properties: { currency: "EUR", coupon: "X" } },
      { event: "paid", namespace: "elsewhere", properties: { amount: "free-form" } },
    ] });
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual([
      { index: 1, field: "properties.amount", message: expect.stringContaining("number") },
      { index: 2, field: "properties.amount", message: expect.stringContaining("requires") },
      { index: 2, field: "properties.coupon", message: expect.stringContaining("does not declare") },
    ]);
    const count = async () => (await call("POST", "/api/v1/metrics/query", bearer(t.a.readKey), { metric: "paid", filter: { event: "paid", timeRange: "30d" } })).json.value;
    expect(await count()).toBe(0);
    const partial = await call("POST", "/api/v1/events/batch?partial=1", bearer(t.a.ingestKey), { events: [{ event: "paid", namespace: "checkout", timestamp: "2026-03-09T00:00:00Z", properties: { amount: 5 } }, { event: "paid", namespace: "checkout", properties: {} }] });
    expect(partial.status).toBe(207);
    expect(await count()).toBe(1);
    const list = await call("GET", "/api/v1/namespaces", bearer(t.a.readKey));
    expect(list.json.namespaces.find((n: { namespace: string }) => n.namespace === "checkout")).toMatchObject({ enforced: true, schema: { additionalProperties: false } });
  });
});
