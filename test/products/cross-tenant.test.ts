import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../../src/app";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { makeUser } from "../helpers/factories";
import { rowIdForParam, rowsOfProduct, seedDataPlane, seedEveryProductTable, seriesIdsOf } from "./seed";
import { addMember } from "../../src/teams/memberships";
import { createInvite } from "../../src/teams/invites";
import { listActiveKeys } from "../../src/products/keys";
import { OPERATIONS } from "../../src/openapi/operations";

/**
 * THE cross-tenant walker. It reads every registered route from the router, so routes added by
 * any later area are covered without editing this file: each route whose path names an id
 * (`:productId`, `:dashboardId`, `:widgetId`, …) is called with every method it has, as user B,
 * against user A's rows. Everything must be a 404 that says nothing about A.
 */
type Tenant = Awaited<ReturnType<typeof makeProductWithKeys>> & { memberId: string; seriesIds: number[] };

const ID_PARAM = /:(\w+Id)\b/g; // for replace/match only (a /g regex's test() is stateful)
const HAS_ID = /:\w+Id\b/;
// Routes the API document marks public (the document itself, /healthz) name no product and answer everyone alike.
const isPublic = (r: { method: string; path: string }) => OPERATIONS[`${r.method} ${r.path}`]?.auth.includes("public") ?? false;

describe("tenant isolation over every registered route", () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;

  const setUp = async (name: string): Promise<Tenant> => {
    const t = await makeProductWithKeys(server.deps, { name });
    const db = server.deps.db;
    const teammate = await makeUser(server);
    addMember(db, t.product.id, teammate.id, server.deps.clock.now());
    createInvite(db, { productId: t.product.id, email: `invitee-${name.replaceAll(" ", "")}@example.com`, invitedBy: t.user.id }, server.deps.clock.now());
    const { seriesIds } = seedDataPlane(db.$client, t.product.id);
    seedEveryProductTable(db.$client, t.product.id, t.user.id, seriesIds[0]!);
    return { ...t, memberId: teammate.id, seriesIds: seriesIdsOf(db.$client, t.product.id) };
  };

  beforeAll(async () => {
    server = await startTestServer();
    a = await setUp("Alpha Secret Co");
    b = await setUp("Bravo Ltd");
  });
  afterAll(() => server.stop());

  /** The id a parameter names, taken from the tenant's own rows (any table the parameter points at). */
  const idFor = (param: string, t: Tenant): string => {
    if (param === "productId") return t.product.id;
    if (param === "keyId") return t.ingestKeyId;
    if (param === "userId") return t.memberId;
    return rowIdForParam(server.deps.db.$client, param, t.product.id) ?? "nonexistent0000";
  };
  const fill = (path: string, pick: (param: string) => string) => path.replace(ID_PARAM, (_m, p: string) => pick(p)).replace(/\/\*$/, "");

  const call = async (method: string, url: string, headers: Record<string, string>) => {
    const api = url.startsWith("/api/");
    const body = method === "GET" || method === "HEAD" ? undefined : api ? "{}" : new URLSearchParams({ confirm: a.product.name, name: "x", email: "x@example.com", scope: "read" }).toString();
    const res = await server.fetch(url, {
      method,
      headers: { Origin: server.url, ...(body ? { "Content-Type": api ? "application/json" : "application/x-www-form-urlencoded" } : {}), ...headers },
      body,
    });
    return { status: res.status, text: await res.text() };
  };

  test("user B gets 404 from every route that names A's product or rows", async () => {
    const routes = [
      ...new Map(
        createApp(server.deps)
          .routes.filter((r) => r.method !== "ALL" && HAS_ID.test(r.path))
          .map((r) => [`${r.method} ${r.path}`, r] as const),
      ).values(),
    ];
    // the walker must see real routes, at least this area's own
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain("POST /products/:productId/delete");
    expect(routes.length).toBeGreaterThanOrEqual(10);

    const cookieB = signIn(server, b.user.id).cookie;
    const identities: [string, Record<string, string>][] = [
      ["B's session", { Cookie: cookieB }],
      ["B's session + B's ingest key", { Cookie: cookieB, Authorization: `Bearer ${b.ingestKey}` }],
      ["B's session + B's read key", { Cookie: cookieB, Authorization: `Bearer ${b.readKey}` }],
    ];
    const failures: string[] = [];
    const leaks = (text: string) => text.includes(a.product.name) || text.includes(a.user.email);

    for (const route of routes) {
      const method = route.method;
      const urlA = fill(route.path, (p) => idFor(p, a));
      for (const [who, headers] of identities) {
        const res = await call(method, urlA, headers);
        if (res.status !== 404 || leaks(res.text)) failures.push(`${method} ${route.path} as ${who}: ${res.status}${leaks(res.text) ? " (leaks A)" : ""}`);
      }
      // B's own product with A's other rows (a dashboard of A under B's product, A's key, A's member…)
      if ((route.path.match(ID_PARAM) ?? []).length > 1) {
        const mixed = fill(route.path, (p) => (p === "productId" ? b.product.id : idFor(p, a)));
        const res = await call(method, mixed, { Cookie: cookieB });
        if (res.status !== 404 || leaks(res.text)) failures.push(`${method} ${route.path} as B with B's product and A's ids: ${res.status}`);
      }
      // B's keys alone: whatever the route answers, it must be exactly what a made-up id gets
      for (const key of [b.ingestKey, b.readKey]) {
        const real = await call(method, urlA, { Authorization: `Bearer ${key}` });
        const bogus = await call(method, fill(route.path, () => "nonexistent0000"), { Authorization: `Bearer ${key}` });
        if (real.status !== bogus.status || leaks(real.text)) failures.push(`${method} ${route.path} with B's key only: ${real.status} (made-up id: ${bogus.status})`);
      }
    }
    expect(failures).toEqual([]);
    console.log(`cross-tenant walker: ${routes.length} routes × ${identities.length + 3} identities, all 404`);
  }, 120_000);

  test("API routes that take the product by name (?product= or a body field) answer B exactly as for a made-up id", async () => {
    const cookieB = signIn(server, b.user.id).cookie;
    const api = [
      ...new Set(
        createApp(server.deps)
          .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/") && !HAS_ID.test(r.path) && !isPublic(r))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ];
    const named = (method: string, path: string, productId: string) => {
      const url = path.replace(/:\w+/g, "signups").replace(/\/\*$/, "");
      const query = `product=${productId}&metric=signups&range=7d`;
      return method === "GET"
        ? { url: `${url}?${query}`, body: undefined }
        : { url, body: JSON.stringify({ product: productId, metric: "signups", aggregation: "sum", range: "7d" }) };
    };
    const identities: [string, Record<string, string>][] = [
      ["B's session", { Cookie: cookieB }],
      ["B's read key", { Authorization: `Bearer ${b.readKey}` }],
      ["B's ingest key", { Authorization: `Bearer ${b.ingestKey}` }],
    ];
    const failures: string[] = [];
    for (const route of api) {
      const [method, path] = route.split(" ") as [string, string];
      for (const [who, headers] of identities) {
        const send = async (productId: string) => {
          const { url, body } = named(method, path, productId);
          const res = await server.fetch(url, { method, headers: { Origin: server.url, "Content-Type": "application/json", ...headers }, body });
          return { status: res.status, text: await res.text() };
        };
        const real = await send(a.product.id);
        const bogus = await send("nonexistent0000");
        const leak = real.text.includes(a.product.name) || real.text.includes(a.product.id);
        if (real.status !== bogus.status || leak || (real.status >= 200 && real.status < 300)) {
          failures.push(`${route} as ${who} naming A's product: ${real.status} (made-up id: ${bogus.status})${leak ? " (leaks A)" : ""}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // the query API in particular: a signed-in stranger naming A's product gets a plain 404
    const query = await server.fetch("/api/v1/query", {
      method: "POST",
      headers: { Cookie: cookieB, Origin: server.url, "Content-Type": "application/json" },
      body: JSON.stringify({ product: a.product.id, metric: "signups", aggregation: "sum", range: "7d" }),
    });
    expect(query.status).toBe(404);
  }, 60_000);

  test("the walker reached real pages: A's owner is not turned away from A's GET routes, and nothing of A changed", async () => {
    const before = rowsOfProduct(server.deps.db.$client, a.product.id, a.seriesIds);
    const ownerA = signIn(server, a.user.id);
    const gets = new Set(createApp(server.deps).routes.filter((r) => r.method === "GET" && HAS_ID.test(r.path)).map((r) => r.path));
    const notFound: string[] = [];
    for (const path of gets) {
      const res = await ownerA.get(fill(path, (p) => idFor(p, a)));
      // A live stream (the explorer's SSE) never ends by itself: its status is the answer.
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) await res.body?.cancel();
      else await res.arrayBuffer();
      if (res.status === 404) notFound.push(path);
    }
    expect(notFound).toEqual([]);
    expect(rowsOfProduct(server.deps.db.$client, a.product.id, a.seriesIds)).toEqual(before);
    for (const count of Object.values(before)) expect(count).toBeGreaterThan(0);
    expect(listActiveKeys(server.deps.db, a.product.id).map((k) => k.id)).toContain(a.ingestKeyId);
  }, 60_000);
});
