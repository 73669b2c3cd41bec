import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { post } from "../ingest/ingest-helpers";
import { createKey } from "../../src/products/keys";
import { twoProportionPValue } from "../../src/funnels/ab-test";
import { signIn } from "../helpers/sign-in";

/** /api/v1/goals (manage keys change, read keys list; another tenant 404) and funnel refusals. */
describe("goals API and funnel requests", () => {
  let server: TestServer;
  let a: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let b: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let manageA: string;
  let manageB: string;
  const now = Date.UTC(2026, 2, 20);

  const call = (method: string, path: string, key: string, body?: unknown) =>
    server.fetch(path, { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } });
    a = await makeProductWithKeys(server.deps, { name: "Alpha" });
    b = await makeProductWithKeys(server.deps, { name: "Bravo" });
    manageA = createKey(server.deps.db, { productId: a.product.id, scope: "manage" }, now).secret;
    manageB = createKey(server.deps.db, { productId: b.product.id, scope: "manage" }, now).secret;
  });
  afterAll(() => server.stop());

  test("create, read, update and delete; names unique per product; other tenants see nothing", async () => {
    const made = await call("POST", "/api/v1/goals", manageA, { name: "Signup", event: "signup", properties: { plan: ["pro", "team"] } });
    expect(made.status).toBe(201);
    const goal = await made.json();
    expect(goal).toMatchObject({ name: "Signup", event: "signup", page: null, properties: { plan: ["pro", "team"] } });

    expect((await call("POST", "/api/v1/goals", manageA, { name: "Signup", page: "/thanks" })).status).toBe(409);
    expect((await call("POST", "/api/v1/goals", manageB, { name: "Signup", page: "/thanks" })).status).toBe(201); // another product may reuse it

    const listed = await (await call("GET", "/api/v1/goals", a.readKey)).json();
    expect(listed.goals.map((g: { name: string }) => g.name)).toEqual(["Signup"]);

    const patched = await call("PATCH", `/api/v1/goals/${goal.id}`, manageA, { page: "/thank-you*" });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ page: "/thank-you*", event: null, properties: null });

    for (const [method, key] of [["GET", b.readKey], ["PATCH", manageB], ["DELETE", manageB]] as const) {
      const res = await call(method, `/api/v1/goals/${goal.id}`, key, method === "PATCH" ? { name: "x" } : undefined);
      expect(res.status).toBe(404);
    }
    // A member's session needs no ?product= on a goal's own URL: the goal names its product.
    const member = signIn(server, a.user.id);
    const viaSession = await member.get(`/api/v1/goals/${goal.id}`);
    expect(viaSession.status).toBe(200);
    expect((await viaSession.json()).page).toBe("/thank-you*");
    expect((await signIn(server, b.user.id).get(`/api/v1/goals/${goal.id}`)).status).toBe(404);
    // Another tenant's goal is a 404 even for a key whose scope would not allow the call.
    expect((await call("PATCH", `/api/v1/goals/${goal.id}`, b.ingestKey, { name: "x" })).status).toBe(404);
    expect((await call("PATCH", `/api/v1/goals/${goal.id}`, a.readKey, { name: "x" })).status).toBe(403);
    expect((await call("DELETE", `/api/v1/goals/${goal.id}`, manageA)).status).toBe(204);
    expect((await call("GET", `/api/v1/goals/${goal.id}`, a.readKey)).status).toBe(404);
  });

  test("a read or ingest key cannot change goals", async () => {
    for (const key of [a.readKey, a.ingestKey]) {
      const res = await call("POST", "/api/v1/goals", key, { name: "Nope", page: "/" });
      expect([401, 403]).toContain(res.status);
    }
    const listed = await (await call("GET", "/api/v1/goals", a.readKey)).json();
    expect(listed.goals.some((g: { name: string }) => g.name === "Nope")).toBe(false);
  });

  const badGoals: [string, unknown, string][] = [
    ["no name", { page: "/x" }, "name"],
    ["both kinds", { name: "x", page: "/x", event: "e" }, "page"],
    ["neither kind", { name: "x" }, "goal"],
    ["page without slash", { name: "x", page: "pricing" }, "page"],
    ["unknown key", { name: "x", page: "/x", colour: "red" }, "colour"],
    ["bad currency", { name: "x", event: "purchase", currency: "usd" }, "currency"],
    ["properties on a page goal", { name: "x", page: "/x", properties: { a: "b" } }, "goal"],
    ["property key with a quote", { name: "x", event: "e", properties: { 'a"b': "c" } }, 'properties.a"b'],
    ["nested property value", { name: "x", event: "e", properties: { a: { b: 1 } } }, "properties.a"],
    ["not an object", ["x"], "goal"],
  ];
  for (const [name, body, field] of badGoals) {
    test(`goal refused: ${name} → 400 naming ${field}`, async () => {
      const res = await call("POST", "/api/v1/goals", manageA, body);
      expect(res.status).toBe(400);
      const err = await res.json();
      expect(err.error).toBe("invalid_goal");
      expect(err.field).toBe(field);
    });
  }

  const badFunnels: [string, unknown, string][] = [
    ["one step", { steps: [{ event: "a" }], date_range: "7d" }, "steps"],
    ["nine steps", { steps: Array.from({ length: 9 }, () => ({ event: "a" })), date_range: "7d" }, "steps"],
    ["bad window", { steps: [{ event: "a" }, { event: "b" }], window: "7 days", date_range: "7d" }, "window"],
    ["window over 90 days", { steps: [{ event: "a" }, { event: "b" }], window: "13w", date_range: "7d" }, "window"],
    ["bad range", { steps: [{ event: "a" }, { event: "b" }], date_range: "forever" }, "date_range"],
    ["unknown goal", { steps: [{ goal: "nope" }, { event: "b" }], date_range: "7d" }, "steps.0.goal"],
    ["page step per user", { steps: [{ page: "/" }, { event: "b" }], by: "user", date_range: "7d" }, "by"],
    ["unknown field", { steps: [{ event: "a" }, { event: "b" }], date_range: "7d", colour: 1 }, "colour"],
  ];
  for (const [name, body, field] of badFunnels) {
    test(`funnel refused: ${name} → 400 naming ${field}`, async () => {
      const res = await call("POST", "/api/v1/insights/funnel", a.readKey, body);
      expect(res.status).toBe(400);
      expect((await res.json()).field).toBe(field);
    });
  }

  test("A/B breakdown by variant with the two-proportion p-value; another product's events never count", async () => {
    const ev = (user: string, name: string, minute: number, variant: string) => ({
      event: name,
      timestamp: new Date(Date.UTC(2026, 2, 10, 12, minute)).toISOString(),
      properties: { variant },
      context: { user_id: user },
    });
    const sent = [];
    for (let i = 0; i < 40; i++) {
      const variant = i % 2 ? "b" : "control";
      sent.push(ev(`u${i}`, "view_pricing", 0, variant));
      if (variant === "control" ? i % 4 === 0 : i % 8 !== 7) sent.push(ev(`u${i}`, "purchase", 5, variant));
    }
    expect((await post(server, "/api/v1/events", JSON.stringify(sent), { key: a.ingestKey })).status).toBe(200);
    expect((await post(server, "/api/v1/events", JSON.stringify([ev("u0", "view_pricing", 0, "b")]), { key: b.ingestKey })).status).toBe(200);
    const res = await call("POST", "/api/v1/insights/funnel", a.readKey, { steps: [{ event: "view_pricing" }, { event: "purchase" }], date_range: ["2026-03-10", "2026-03-10"], breakdown: "variant" });
    expect(res.status).toBe(200);
    const answer = await res.json();
    expect(answer.steps.map((s: { visitors: number }) => s.visitors)).toEqual([40, 25]);
    expect(answer.breakdown.map((r: { value: string; steps: { visitors: number }[] }) => [r.value, r.steps[0]!.visitors, r.steps[1]!.visitors])).toEqual([
      ["control", 20, 10],
      ["b", 20, 15],
    ]);
    expect(answer.breakdown[0].p_value).toBeNull();
    expect(answer.breakdown[1].p_value).toBeCloseTo(twoProportionPValue(20, 10, 20, 15)!, 9);
    expect(answer.steps[1].median_seconds_to_convert).toBe(300);
  });

  test("p-value: equal rates give 1; 10/100 against 30/100 is about 0.0005", () => {
    expect(twoProportionPValue(100, 10, 100, 10)).toBeCloseTo(1, 6);
    expect(twoProportionPValue(100, 10, 100, 30)!).toBeGreaterThan(0.0003);
    expect(twoProportionPValue(100, 10, 100, 30)!).toBeLessThan(0.0006);
    expect(twoProportionPValue(0, 0, 10, 1)).toBeNull();
  });
});
