import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { makeProductWithKeys } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { HOUR, MIN, startBed, type Bed } from "./support";

/** The alerts API's contract: create, read, list, patch, delete; field errors; who may; tenants. */
const T0 = Date.UTC(2026, 2, 2, 10, 0);
let bed: Bed;
beforeAll(async () => {
  bed = await startBed({ start: T0, env: { OUTBOUND_ALLOW: "127.0.0.1" } });
});
afterAll(() => bed.stop());
const good = { name: "Signups per hour", query: { metric: "signups", aggregation: "sum" }, window: "1h", condition: { op: ">", value: 50 }, channels: [{ type: "email", to: ["ops@example.com"] }], cooldown: "1h" };

describe("alerts API", () => {
  test("create → get → list → patch → delete", async () => {
    const res = await bed.api("POST", "/api/v1/alerts", good);
    expect(res.status).toBe(201);
    const rule = (await res.json()) as any;
    expect(rule).toMatchObject({ name: "Signups per hour", window: "1h", condition: { op: ">", value: 50 }, cooldown: "1h", state: "ok", muted: false, channels: [{ type: "email", to: ["ops@example.com"], digest: "off" }] });
    expect((await (await bed.api("GET", `/api/v1/alerts/${rule.id}`)).json()) as any).toMatchObject({ id: rule.id, episodes: [] });
    expect(((await (await bed.api("GET", "/api/v1/alerts")).json()) as any).alerts.map((a: any) => a.id)).toContain(rule.id);
    const patched = await bed.api("PATCH", `/api/v1/alerts/${rule.id}`, { condition: { anomaly: "zscore", threshold: 3, lookback: "7d" }, muted: true });
    expect(patched.status).toBe(200);
    const after = (await patched.json()) as any;
    expect(after).toMatchObject({ name: "Signups per hour", condition: { anomaly: "zscore", threshold: 3, lookback: "7d" }, muted: true, channels: [{ id: rule.channels[0].id }] });
    expect((await bed.api("DELETE", `/api/v1/alerts/${rule.id}`)).status).toBe(204);
    expect((await bed.api("GET", `/api/v1/alerts/${rule.id}`)).status).toBe(404);
  });

  const bad: [string, Record<string, unknown>, string, string][] = [
    ["no name", { ...good, name: "" }, "name", "Name is required"],
    ["a range in the query", { ...good, query: { ...good.query, range: "7d" } }, "query.range", "window"],
    ["groupBy in the query", { ...good, query: { ...good.query, groupBy: ["plan"] } }, "query.groupBy", "one series"],
    ["an unknown aggregation", { ...good, query: { metric: "signups", aggregation: "median" } }, "query.aggregation", "aggregation must be one of"],
    ["an unknown time zone", { ...good, query: { ...good.query, timezone: "Mars/Olympus" } }, "query.timezone", "unknown time zone"],
    ["a bad window", { ...good, window: "1 hour" }, "window", "duration"],
    ["an unknown condition", { ...good, condition: { anomaly: "magic" } }, "condition", "condition is one of"],
    ["a threshold without a value", { ...good, condition: { op: ">" } }, "condition.value", "value is required"],
    ["a bad op", { ...good, condition: { op: "!=", value: 1 } }, "condition.op", "op is one of"],
    ["a z-score lookback shorter than 3 windows", { ...good, condition: { anomaly: "zscore", threshold: 3, lookback: "2h" } }, "condition.lookback", "at least 3 windows"],
    ["rolling mean factor 1", { ...good, condition: { anomaly: "rolling_mean", factor: 1, lookback: "1d" } }, "condition.factor", "factor 1"],
    ["a stock level summed", { ...good, condition: { inventory: "low_stock", below: 5 } }, "query.aggregation", "gauge"],
    ["a stockout rule without sales", { ...good, query: { metric: "stock", aggregation: "min" }, condition: { inventory: "predicted_stockout", days: 5 } }, "condition.sales", "sales is required"],
    ["no channels", { ...good, channels: [] }, "channels", "at least one"],
    ["an unknown channel type", { ...good, channels: [{ type: "pager" }] }, "channels.0.type", "type is one of"],
    ["a bad email", { ...good, channels: [{ type: "email", to: ["nope"] }] }, "channels.0.to.0", "valid email"],
    ["an unknown key", { ...good, colour: "red" }, "colour", "unknown field"],
    ["a bad cooldown", { ...good, cooldown: "forever" }, "cooldown", "duration"],
  ];
  for (const [what, body, field, message] of bad) {
    test(`refuses ${what}, naming ${field}, and saves nothing`, async () => {
      const before = bed.server.deps.db.$client.query("SELECT count(*) AS n FROM alerts").get();
      const res = await bed.api("POST", "/api/v1/alerts", body);
      expect(res.status).toBe(400);
      const json = (await res.json()) as any;
      expect(json.error).toBe("invalid_alert");
      expect(json.errors.find((e: any) => e.field === field)).toMatchObject({ index: null, field, message: expect.stringContaining(message) });
      expect(bed.server.deps.db.$client.query("SELECT count(*) AS n FROM alerts").get()).toEqual(before);
    });
  }

  test("every problem at once, each with its field", async () => {
    const res = await bed.api("POST", "/api/v1/alerts", { name: "", query: { metric: "x", aggregation: "sum" }, window: "soon", condition: { op: ">" }, channels: [] });
    expect(((await res.json()) as any).errors.map((e: any) => e.field)).toEqual(["name", "window", "condition.value", "channels"]);
  });

  test("a webhook channel shows its secret once; saving the same URL again keeps it", async () => {
    const res = await bed.api("POST", "/api/v1/alerts", { ...good, channels: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }] });
    const rule = (await res.json()) as any;
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(rule.channels[0].secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const patched = (await (await bed.api("PATCH", `/api/v1/alerts/${rule.id}`, { channels: [{ type: "webhook", url: "http://127.0.0.1:9/hook" }, { type: "in_app" }] })).json()) as any;
    expect(patched.channels[0]).toEqual({ id: rule.channels[0].id, type: "webhook", url: "http://127.0.0.1:9/hook" });
    expect(patched.channels[1]).toMatchObject({ type: "in_app" });
  });

  test("who may: a manage key or a member; a read or ingest key is 403; no credentials 401; another product's rule 404", async () => {
    const created = (await (await bed.api("POST", "/api/v1/alerts", good)).json()) as any;
    const headers = (key: string) => ({ Authorization: `Bearer ${key}`, "Content-Type": "application/json" });
    expect((await bed.server.fetch("/api/v1/alerts", { headers: headers(bed.owner.readKey) })).status).toBe(403);
    expect((await bed.server.fetch("/api/v1/alerts", { method: "POST", headers: headers(bed.owner.ingestKey), body: JSON.stringify(good) })).status).toBe(403);
    expect((await bed.server.fetch("/api/v1/alerts")).status).toBe(401);
    const member = signIn(bed.server, bed.owner.user.id);
    const asMember = await bed.server.fetch(`/api/v1/alerts/${created.id}?product=${bed.owner.product.id}`, { headers: { Cookie: member.cookie } });
    expect(asMember.status).toBe(200);
    const viaForm = await bed.server.fetch("/api/v1/alerts", { method: "POST", headers: { Cookie: member.cookie, Origin: bed.server.url, "Content-Type": "text/plain" }, body: JSON.stringify({ ...good, product: bed.owner.product.id }) });
    expect(viaForm.status).toBe(415);
    // Another tenant: their manage key cannot see, change or delete it.
    const other = await makeProductWithKeys(bed.server.deps);
    const { createKey } = await import("../../src/products/keys");
    const otherKey = createKey(bed.server.deps.db, { productId: other.product.id, scope: "manage" }, T0).secret;
    for (const [method, body] of [["GET", undefined], ["PATCH", { name: "Mine now" }], ["DELETE", undefined]] as const) {
      const res = await bed.server.fetch(`/api/v1/alerts/${created.id}`, { method, headers: headers(otherKey), body: body ? JSON.stringify(body) : undefined });
      expect([method, res.status]).toEqual([method, 404]);
    }
    const stranger = signIn(bed.server, other.user.id);
    expect((await bed.server.fetch(`/api/v1/alerts/${created.id}?product=${bed.owner.product.id}`, { headers: { Cookie: stranger.cookie } })).status).toBe(404);
  });

  test("backtest: how often the rule would have fired over the last 30 days, by the same evaluator", async () => {
    // Three bursts of signups over the last days, each enough for one episode of "sum over 1h > 50".
    const points = [];
    for (const day of [2, 9, 20]) for (let i = 0; i < 60; i++) points.push({ metric: "bursty", value: 1, at: T0 - day * 24 * HOUR + i * MIN });
    await bed.ingest(points);
    const res = await bed.api("POST", "/api/v1/alerts/backtest", { name: "x", query: { metric: "bursty", aggregation: "sum" }, window: "1h", condition: { op: ">", value: 50 } });
    expect(res.status).toBe(200);
    const bt = (await res.json()) as any;
    expect(bt.fired).toBe(3);
    expect(bt.chart).toHaveLength(30 * 24);
    expect(bt.episodes[0].value).toBe(51);
  });
});
