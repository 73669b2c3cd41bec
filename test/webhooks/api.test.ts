import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startBed, startReceiver, type Bed } from "./support";
import { makeProductWithKeys } from "../helpers/factories";
import { createKey } from "../../src/products/keys";
import { signIn } from "../helpers/sign-in";
import { EVENT_TYPE_NAMES } from "../../src/webhooks/event-types";

/**
 * /api/v1/webhooks: create (secret in full once, then masked and never on disk in clear), list
 * with the event types, change, delete; bad input names the field and stores nothing; another
 * tenant's webhook and delivery are 404 whatever the key; a read key is 403; the OpenAPI
 * document lists every route.
 */
const T0 = Date.UTC(2026, 5, 1, 8);
let bed: Bed;
let rx: ReturnType<typeof startReceiver>;
beforeAll(async () => {
  bed = await startBed({ start: T0 });
  rx = startReceiver({ now: () => bed.clock.now() });
});
afterAll(async () => {
  await bed.stop();
  rx.stop();
});

describe("webhooks API", () => {
  test("create shows the secret once; later answers mask it; the database holds it sealed", async () => {
    const res = await bed.api("POST", "/api/v1/webhooks", { url: rx.url, event_types: ["goal.completed", "goal.completed", "alert.firing"], description: " CRM " });
    expect(res.status).toBe(201);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const made = (await res.json()) as any;
    expect(made).toMatchObject({ url: rx.url, event_types: ["goal.completed", "alert.firing"], description: "CRM", enabled: true, disabled_reason: null });
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
    const list = (await (await bed.api("GET", "/api/v1/webhooks")).json()) as any;
    expect(list.webhooks).toHaveLength(1);
    expect(list.webhooks[0].secret).toBe(`whsec_…${made.secret.slice(-4)}`);
    expect(list.event_types.map((t: { type: string }) => t.type)).toEqual(EVENT_TYPE_NAMES);
    const stored = JSON.stringify(bed.server.deps.db.$client.query("SELECT * FROM webhooks").all());
    expect(stored).not.toContain(made.secret.slice(6));
  });

  test("bad input: 400 naming the field, nothing stored", async () => {
    const count = () => ((bed.server.deps.db.$client.query("SELECT count(*) AS n FROM webhooks").get() as { n: number }).n);
    const before = count();
    const cases: [unknown, string][] = [
      [{ url: rx.url, event_types: [] }, "event_types"],
      [{ url: rx.url, event_types: ["order.shipped"] }, "event_types.0"],
      [{ url: rx.url }, "event_types"],
      [{ event_types: ["goal.completed"] }, "url"],
      [{ url: rx.url, event_types: ["goal.completed"], secret: "mine" }, "secret"],
      [{ url: "not a url", event_types: ["goal.completed"] }, "url"],
      [[1, 2], "body"],
    ];
    for (const [body, field] of cases) {
      const res = await bed.api("POST", "/api/v1/webhooks", body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), 400]);
      expect(((await res.json()) as any).field).toBe(field);
    }
    const notJson = await bed.server.fetch("/api/v1/webhooks", { method: "POST", headers: { Authorization: `Bearer ${bed.manageKey}` }, body: "{" });
    expect(notJson.status).toBe(400);
    expect(count()).toBe(before);
  });

  test("PATCH and DELETE", async () => {
    const made = await bed.addWebhook(rx.url, ["visitor.new"]);
    const patched = (await (await bed.api("PATCH", `/api/v1/webhooks/${made.id}`, { event_types: ["purchase.completed"], enabled: false })).json()) as any;
    expect(patched).toMatchObject({ event_types: ["purchase.completed"], enabled: false, url: rx.url });
    expect((await bed.api("PATCH", `/api/v1/webhooks/${made.id}`, { enabled: "yes" })).status).toBe(400);
    expect((await bed.api("DELETE", `/api/v1/webhooks/${made.id}`)).status).toBe(204);
    expect((await bed.api("GET", `/api/v1/webhooks/${made.id}`)).status).toBe(404);
    expect((await bed.api("DELETE", `/api/v1/webhooks/${made.id}`)).status).toBe(404);
  });

  test("another tenant's webhook and deliveries are 404 with any key or session; a read key of the product is 403", async () => {
    const made = await bed.addWebhook(rx.url, ["purchase.completed"]);
    rx.secrets.push(made.secret);
    const sent = (await (await bed.api("POST", `/api/v1/webhooks/${made.id}/test`, { event_type: "purchase.completed" })).json()) as any;
    expect(sent.ok).toBe(true);
    const other = await makeProductWithKeys(bed.server.deps);
    const otherManage = createKey(bed.server.deps.db, { productId: other.product.id, scope: "manage" }, T0).secret;
    const paths: [string, string, unknown?][] = [
      ["GET", `/api/v1/webhooks/${made.id}`],
      ["PATCH", `/api/v1/webhooks/${made.id}`, { enabled: false }],
      ["DELETE", `/api/v1/webhooks/${made.id}`],
      ["POST", `/api/v1/webhooks/${made.id}/rotate-secret`],
      ["POST", `/api/v1/webhooks/${made.id}/test`, { event_type: "purchase.completed" }],
      ["GET", `/api/v1/webhooks/${made.id}/deliveries`],
      ["GET", `/api/v1/webhooks/${made.id}/deliveries/${sent.delivery_id}`],
      ["POST", `/api/v1/webhooks/${made.id}/deliveries/${sent.delivery_id}/redeliver`],
    ];
    for (const [method, path, body] of paths) {
      for (const key of [otherManage, other.readKey]) expect([method, path, (await bed.api(method, path, body, key)).status]).toEqual([method, path, 404]);
      expect([method, path, (await bed.api(method, path, body, bed.owner.readKey)).status]).toEqual([method, path, 403]);
    }
    const stranger = signIn(bed.server, other.user.id);
    expect((await stranger.get(`/api/v1/webhooks/${made.id}`)).status).toBe(404);
    expect((await stranger.get(`/products/${bed.owner.product.id}/settings/webhooks/${made.id}`)).status).toBe(404);
    // The list with another product's key shows that product's webhooks only.
    expect(((await (await bed.api("GET", "/api/v1/webhooks", undefined, otherManage)).json()) as any).webhooks).toEqual([]);
    expect((await bed.api("GET", `/api/v1/webhooks?product=${bed.owner.product.id}`, undefined, otherManage)).status).toBe(404);
    expect((await bed.api("GET", `/api/v1/webhooks/${made.id}`)).status).toBe(200); // unchanged by all that
    expect(rx.got).toHaveLength(1);
  });

  test("the OpenAPI document describes every webhooks route", async () => {
    const doc = (await (await bed.server.fetch("/api/v1/openapi.json")).json()) as any;
    const routes: [string, string][] = [
      ["/api/v1/webhooks", "get"], ["/api/v1/webhooks", "post"], ["/api/v1/webhooks/{webhookId}", "patch"], ["/api/v1/webhooks/{webhookId}/rotate-secret", "post"],
      ["/api/v1/webhooks/{webhookId}/test", "post"], ["/api/v1/webhooks/{webhookId}/deliveries/{messageId}/redeliver", "post"],
    ];
    for (const [path, method] of routes) {
      expect([path, method, doc.paths[path]?.[method]?.tags]).toEqual([path, method, ["Webhooks"]]);
    }
  });
});
