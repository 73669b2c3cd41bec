import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "../dashboards/support";
import { makeUser } from "../helpers/factories";
import { sessionCookie } from "../helpers/sign-in";

/** The metric library page: members add and delete saved metrics; strangers get 404; errors sit beside the field. */
let server: TestServer;
let owner: Awaited<ReturnType<typeof signedInOwner>>;
beforeAll(async () => {
  server = await startTestServer();
  owner = await signedInOwner(server);
});
afterAll(() => server.stop());

const url = () => `/products/${owner.product.id}/metrics`;
const post = (path: string, form: Record<string, string>, cookie = owner.cookie) =>
  server.fetch(path, { method: "POST", body: new URLSearchParams(form), headers: { Cookie: cookie, "HX-Request": "true", Origin: server.url } });

test("add a saved metric, see it listed and in the API, delete it", async () => {
  const page = await server.fetch(url(), { headers: { Cookie: owner.cookie } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("No saved metrics yet");
  const added = await post(url(), { name: "weekly_buyers", description: "Buyers per week", query: JSON.stringify({ filter: { event: "purchase" }, aggregation: "distinct", aggregationField: "user_id", groupBy: ["week"] }) });
  expect(added.status).toBe(200);
  const html = await added.text();
  expect(html).toContain('data-metric="weekly_buyers"');
  expect(html).toContain("Buyers per week");
  const api = await server.fetch("/api/v1/metrics", { headers: { Authorization: `Bearer ${owner.readKey}` } });
  expect((await api.json()).definitions.map((d: { name: string }) => d.name)).toEqual(["weekly_buyers"]);
  const deleted = await post(`${url()}/weekly_buyers/delete`, {});
  expect(await deleted.text()).toContain("No saved metrics yet");
});

test("a query that cannot run is shown again with the reason beside it; nothing is saved", async () => {
  const res = await post(url(), { name: "broken", description: "", query: JSON.stringify({ aggregation: "sum" }) });
  expect(res.status).toBe(422);
  const html = await res.text();
  expect(html).toContain("aggregationField");
  expect(html).toContain('id="metric-query-error"');
  const bad = await post(url(), { name: "broken", description: "", query: "{not json" });
  expect(await bad.text()).toContain("not valid JSON");
  const page = await (await server.fetch(url(), { headers: { Cookie: owner.cookie } })).text();
  expect(page).not.toContain('data-metric="broken"');
});

test("another product's owner gets 404", async () => {
  const stranger = await makeUser(server);
  const cookie = sessionCookie(server.deps, stranger.id);
  expect((await server.fetch(url(), { headers: { Cookie: cookie } })).status).toBe(404);
  expect((await post(url(), { name: "x", description: "", query: "{}" }, cookie)).status).toBe(404);
});

test("the insights page shows sessions, active users and retention of the product's events; 404 for strangers", async () => {
  const now = server.deps.clock.now();
  const res = await server.fetch("/api/v1/events/batch", {
    method: "POST",
    headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ events: [{ event: "signup", timestamp: new Date(now - 3_600_000).toISOString(), context: { user_id: "ann" } }, { event: "signup", timestamp: new Date(now - 60_000).toISOString(), context: { user_id: "bob" } }] }),
  });
  expect(res.status).toBe(200);
  const page = await server.fetch(`/products/${owner.product.id}/insights?range=7d`, { headers: { Cookie: owner.cookie } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('data-testid="active-users"');
  expect(html).toMatch(/<dt>Sessions<\/dt><dd>2<\/dd>/);
  expect(html).toContain('data-testid="retention"');
  const stranger = sessionCookie(server.deps, (await makeUser(server)).id);
  expect((await server.fetch(`/products/${owner.product.id}/insights`, { headers: { Cookie: stranger } })).status).toBe(404);
  expect((await server.fetch(`/products/${owner.product.id}/insights?range=1000y`, { headers: { Cookie: owner.cookie } })).status).toBe(400);
});
