import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../helpers/browser";
import { REPO } from "../helpers/process";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { storedEvents } from "./support";

/**
 * posthog-js itself, in Chromium, on a page of another origin (so every call is cross-site and
 * needs the CORS answers), initialised with the product's public site token and LiteKPI as its
 * api_host: its flags call, its $pageview and a custom event arrive as events.
 */
let server: TestServer;
let site: ReturnType<typeof Bun.serve>;
let browser: Browser;
const posthogJs = readFileSync(join(REPO, "node_modules/posthog-js/dist/array.full.no-external.js"), "utf8");

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  site?.stop(true);
  await server.stop();
});

test("posthog-js with the site token sends $pageview, capture and identify to /e/ across origins", async () => {
  const p = await makeProductWithKeys(server.deps);
  const token = (server.deps.db.$client.query("SELECT site_token AS t FROM products WHERE id = ?").get(p.product.id) as { t: string }).t;
  const page = `<!doctype html><html><head><script src="/posthog.js"></script><script src="/init.js"></script></head><body>shop</body></html>`;
  const init = `posthog.init(${JSON.stringify(token)}, { api_host: ${JSON.stringify(server.url)}, request_batching: false, persistence: "memory", autocapture: false, disable_session_recording: true, disable_surveys: true, opt_out_useragent_filter: true });
posthog.capture("added_to_cart", { sku: "A-1", price: 12 });
posthog.identify("customer-9", { email: "c9@example.com" });`;
  site = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/posthog.js") return new Response(posthogJs, { headers: { "Content-Type": "text/javascript" } });
      if (path === "/init.js") return new Response(init, { headers: { "Content-Type": "text/javascript" } });
      return new Response(page, { headers: { "Content-Type": "text/html" } });
    },
  });
  const tab = await browser.newPage();
  const failed: string[] = [];
  tab.on("requestfailed", (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
  await tab.goto(`http://localhost:${site.port}/`); // localhost vs 127.0.0.1: another origin
  let names: string[] = [];
  for (let i = 0; i < 200 && !["$pageview", "added_to_cart", "$identify"].every((n) => names.includes(n)); i++) {
    await Bun.sleep(50);
    names = storedEvents(server, p.product.id).map((e) => e.name);
  }
  await tab.close();
  expect(names).toEqual(expect.arrayContaining(["$pageview", "added_to_cart", "$identify"]));
  const events = storedEvents(server, p.product.id);
  const cart = events.find((e) => e.name === "added_to_cart")!;
  expect(cart.properties).toMatchObject({ sku: "A-1", price: 12, $lib: "web" });
  expect(cart.properties.token).toBeUndefined();
  expect(cart.sessionId).toBeTruthy(); // posthog-js's $session_id
  expect(events.find((e) => e.name === "$identify")!.userId).toBe("customer-9");
  expect(failed.filter((f) => f.includes(server.url))).toEqual([]);
}, 60_000);
