import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser } from "../helpers/browser";
import { startSite, type Hit, type TestSite } from "./site";

/**
 * The same kind of page with Plausible's own npm tracker (@plausible-analytics/tracker, unchanged,
 * captureOnLocalhost so it runs on loopback) pointed at an /api/event endpoint: the page views it
 * counts are the ones our script counts (load, pushState, popstate; replaceState on the same path
 * is none).
 */
describe("@plausible-analytics/tracker on a page", () => {
  let site: TestSite;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    site = startSite();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    site?.stop();
  });

  test("page views on load and on SPA navigations, with d, u and r in Plausible's wire format", async () => {
    const config = { domain: "shop.test", endpoint: `${site.url}/api/event`, captureOnLocalhost: true, logging: false };
    site.page("/p", { head: `<script>window.__plausible_config=${JSON.stringify(config)}</script><script src="/plausible.js"></script>`, body: "<h1>Shop</h1>" });
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${site.url}/p?utm_source=newsletter`, { referer: "https://www.google.com/" });
    const mine = (h: Hit) => h.path === "/api/event" && h.body.n === "pageview";
    await site.waitFor(mine);
    await page.evaluate(() => history.pushState({}, "", "/p/pricing"));
    await page.evaluate(() => history.replaceState({}, "", "/p/pricing?tab=yearly"));
    await page.evaluate(() => history.pushState({}, "", "/p/docs"));
    await page.goBack();
    const views = await site.waitFor(mine, 4);
    expect(views.map((h) => new URL(String(h.body.u)).pathname)).toEqual(["/p", "/p/pricing", "/p/docs", "/p/pricing"]);
    expect(views[0]!.body).toMatchObject({ n: "pageview", d: "shop.test", u: `${site.url}/p?utm_source=newsletter`, r: "https://www.google.com/" });
    expect(views[0]!.contentType).toStartWith("text/plain");
    expect(errors).toEqual([]);
  });
});
