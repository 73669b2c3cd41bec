import { afterAll, beforeAll, expect, test } from "bun:test";
import { Analytics } from "@segment/analytics-node";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { query, storedEvents } from "./support";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const basic = (key: string) => `Basic ${btoa(`${key}:`)}`;

test("@segment/analytics-node pointed at LiteKPI: track, identify, page and group arrive as events, read back as event:<name>", async () => {
  const p = await makeProductWithKeys(server.deps);
  const analytics = new Analytics({ writeKey: p.ingestKey, host: server.url, flushAt: 10, maxRetries: 0 });
  const failures: unknown[] = [];
  analytics.on("error", (e) => failures.push(e));
  analytics.identify({ userId: "u-1", traits: { email: "ada@example.com", plan: "pro" } });
  analytics.track({ userId: "u-1", event: "Order Completed", properties: { revenue: 49, currency: "USD" }, timestamp: new Date("2026-01-15T12:00:00Z") });
  analytics.track({ anonymousId: "anon-7", event: "Order Completed", properties: { revenue: 10 } });
  analytics.page({ userId: "u-1", name: "Pricing", properties: { path: "/pricing" } });
  analytics.group({ userId: "u-1", groupId: "org-1", traits: { name: "Acme" } });
  await analytics.closeAndFlush();
  expect(failures).toEqual([]);

  const events = storedEvents(server, p.product.id);
  expect(events.map((e) => e.name).sort()).toEqual(["$groupidentify", "$identify", "$pageview", "Order Completed", "Order Completed"]);
  const order = events.find((e) => e.name === "Order Completed" && e.userId === "u-1")!;
  expect(order.tsMs).toBe(Date.parse("2026-01-15T12:00:00Z"));
  expect(order.properties).toEqual({ revenue: 49, currency: "USD" });
  expect(order.context.library.name).toBe("@segment/analytics-node");
  expect(order.id).toStartWith("node-next-"); // the messageId: a retried batch is stored once
  expect(events.find((e) => e.userId === "anon-7")!.name).toBe("Order Completed");
  expect(events.find((e) => e.name === "$identify")!.properties).toEqual({ email: "ada@example.com", plan: "pro" });
  expect(events.find((e) => e.name === "$pageview")!.properties).toEqual({ path: "/pricing", name: "Pricing" });
  expect(events.find((e) => e.name === "$groupidentify")!.properties).toEqual({ name: "Acme", group_id: "org-1" });
  const counted = await query(server, p.readKey, { metric: "event:Order Completed", aggregation: "sum" });
  expect(counted.value).toBe(2);
});

test("the same batch sent twice (a client retry) is stored once: messageId is the event id", async () => {
  const p = await makeProductWithKeys(server.deps);
  const body = JSON.stringify({ batch: [{ type: "track", event: "Signup", userId: "u", messageId: "m-1" }, { type: "identify", userId: "u", traits: {}, messageId: "m-2" }] });
  for (const expected of [{ success: true, accepted: 2 }, { success: true, accepted: 0, duplicates: 2 }]) {
    const res = await server.fetch("/v1/batch", { method: "POST", headers: { Authorization: basic(p.ingestKey), "Content-Type": "application/json" }, body });
    expect([res.status, await res.json()]).toEqual([200, expected]);
  }
  expect(storedEvents(server, p.product.id)).toHaveLength(2);
});

test("single-message endpoints, writeKey in the body, the IP never stored, bad messages listed and left out", async () => {
  const p = await makeProductWithKeys(server.deps);
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    server.fetch(path, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const one = await post("/v1/track", { writeKey: p.ingestKey, userId: 42, event: "Clicked", context: { ip: "203.0.113.9", page: { path: "/" } } });
  expect([one.status, await one.json()]).toEqual([200, { success: true, accepted: 1 }]);
  const stored = storedEvents(server, p.product.id);
  expect(stored[0]!.userId).toBe("42");
  expect(stored[0]!.context).toEqual({ page: { path: "/" }, user_id: "42" });

  const mixed = await post("/v1/batch", { batch: [{ type: "track", userId: "u", event: "Ok" }, { type: "track", userId: "u" }, { type: "bogus", userId: "u" }, { type: "track", event: "x" }] }, { Authorization: basic(p.ingestKey) });
  const j: any = await mixed.json();
  expect([mixed.status, j.accepted, j.errors.map((e: any) => [e.index, e.field])]).toEqual([207, 1, [[1, "event"], [2, "type"], [3, "userId"]]]);

  const none = await post("/v1/batch", { batch: [{ type: "track", userId: "u" }] }, { Authorization: basic(p.ingestKey) });
  expect([none.status, ((await none.json()) as any).error]).toEqual([400, "invalid_events"]);
  const wrongType = await post("/v1/identify", { type: "track", userId: "u" }, { Authorization: basic(p.ingestKey) });
  expect(wrongType.status).toBe(400);
  expect(storedEvents(server, p.product.id)).toHaveLength(2);

  expect((await post("/v1/track", { userId: "u", event: "x" })).status).toBe(401);
  expect((await post("/v1/track", { userId: "u", event: "x" }, { Authorization: basic(p.readKey) })).status).toBe(403);
});
