import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "../dashboards/support";
import { makeUser } from "../helpers/factories";
import { sessionCookie, signInBrowser } from "../helpers/sign-in";

/**
 * The event explorer: browse and search, an event's JSON, the schema the writer inferred, the
 * live stream over SSE (server-side filters), and in Chromium an event posted with fetch
 * showing up in the open page within 2 s.
 */
let server: TestServer;
let owner: Awaited<ReturnType<typeof signedInOwner>>;
let browser: Browser | null = null;
beforeAll(async () => {
  server = await startTestServer();
  owner = await signedInOwner(server);
});
afterAll(async () => {
  await browser?.close();
  await server.stop();
});

const send = (events: unknown[]) =>
  server.fetch("/api/v1/events/batch", { method: "POST", headers: { Authorization: `Bearer ${owner.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ events }) });
const page = (path: string, cookie = owner.cookie) => server.fetch(`/products/${owner.product.id}${path}`, { headers: { Cookie: cookie } });

test("browse, search by property, open an event's JSON; the schema inferred as events were stored", async () => {
  const now = Date.now();
  expect((await send([
    { event: "signup", namespace: "product", timestamp: new Date(now - 60_000).toISOString(), properties: { plan: "pro", seats: 3 }, context: { user_id: "ann" } },
    { event: "signup", namespace: "product", timestamp: new Date(now - 30_000).toISOString(), properties: { plan: "free" }, context: { user_id: "bob" } },
    { event: "invoice", namespace: "billing", timestamp: new Date(now - 10_000).toISOString(), properties: { amount: 12.5 } },
  ])).status).toBe(200);
  const all = await (await page("/explorer")).text();
  expect(all.match(/<tr data-seq=/g)?.length).toBe(3);
  const pro = await (await page("/explorer?event=signup&property=plan&value=pro")).text();
  expect(pro.match(/<tr data-seq="(\d+)"/g)?.length).toBe(1);
  const seq = /<tr data-seq="(\d+)"/.exec(pro)![1]!;
  const detail = await (await page(`/explorer/event?seq=${seq}`)).text();
  expect(detail).toContain("&quot;seats&quot;: 3");
  // 1 of 2 signups had seats: 50 % present; plan in both, a string.
  expect(all).toMatch(/<code>properties\.seats<\/code><\/td><td>number<\/td><td class="num">50%<\/td>/);
  expect(all).toMatch(/<code>properties\.plan<\/code><\/td><td>string<\/td><td class="num">100%<\/td>/);
  const stranger = sessionCookie(server.deps, (await makeUser(server)).id);
  expect((await page("/explorer", stranger)).status).toBe(404);
  expect((await page(`/explorer/event?seq=${seq}`, stranger)).status).toBe(404);
});

test("the live stream sends new events that pass its filters, and nothing else", async () => {
  const controller = new AbortController();
  const res = await server.fetch(`/products/${owner.product.id}/explorer/stream?event=live`, { headers: { Cookie: owner.cookie }, signal: controller.signal });
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  await reader.read(); // the opening comment: the stream is live from here
  await send([{ event: "other" }, { event: "live", properties: { n: 1 } }]);
  let text = "";
  while (!text.includes("event: event")) text += new TextDecoder().decode((await reader.read()).value);
  expect(text).toContain('"event":"live"');
  expect(text).not.toContain('"event":"other"');
  controller.abort();
});

test("in a browser: an event posted with fetch appears in the open explorer within 2 s", async () => {
  browser = await launchBrowser();
  const context = await browser.newContext();
  await signInBrowser(context, server, owner.user.id);
  const tab = await context.newPage();
  const errors: string[] = [];
  tab.on("pageerror", (e) => errors.push(String(e)));
  await tab.goto(`${server.url}/products/${owner.product.id}/explorer`);
  await tab.locator("#live-status", { hasText: "Live" }).waitFor({ timeout: 10_000 });
  await send([{ event: "from_curl", properties: { hello: "world" } }]);
  await tab.locator("#live-events li", { hasText: "from_curl" }).waitFor({ timeout: 2_000 });
  expect(errors).toEqual([]);
  await context.close(); // the tab goes: its stream ends with it
}, 60_000);
