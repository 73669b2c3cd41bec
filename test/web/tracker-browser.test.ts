import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { trackerScript } from "../../src/web/tracker/script";
import { startSite, type Hit, type TestSite } from "./site";

/**
 * Our t.js in headless Chromium on a customer's page (its own loopback origin, the script from
 * the LiteKPI server): what it sends for page views, SPA navigations, goals, UTM and referrer,
 * what it never does (cookies, storage in privacy mode, throwing), and its tag options. The
 * beacons go to the test site's capture route (data-api), so each body can be read as sent.
 */
describe("t.js in a browser", () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  let src: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    site = startSite();
    browser = await launchBrowser();
    src = `${server.url}/t.js?v=${(await trackerScript()).version}`;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    site?.stop();
    await server?.stop();
  });

  const tag = (attrs = "", api = site.url) => `<script defer src="${src}" data-site="site_test" data-api="${api}" ${attrs}></script>`;
  const BODY = `<main style="height:3000px"><h1>Hello</h1>
    <button id="signup" data-goal="signup" data-goal-plan="pro"><span id="inner">Sign up</span></button>
    <form id="newsletter" data-goal="newsletter" data-goal-list="weekly" onsubmit="event.preventDefault()"><button id="subscribe">Subscribe</button></form>
    <a id="pricing" href="/pricing">Pricing</a></main>`;

  /** A fresh visitor: its own context, every page error and uncaught exception recorded. */
  const visit = async (opts: { init?: () => void } = {}) => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    if (opts.init) await page.addInitScript(opts.init);
    return { context, page, errors };
  };
  const hitsFrom = (origin: string) => (h: Hit) => String(h.body.u ?? "").startsWith(origin);
  const scripted = async (page: Page) => page.waitForFunction(() => typeof (window as any).litekpi?.goal === "function");

  test("a page view carries the page URL with UTM parameters, the referrer and the width; text/plain, no preflight", async () => {
    site.page("/landing", { scriptTag: tag(), body: BODY });
    const { page, errors } = await visit();
    await page.setViewportSize({ width: 1111, height: 700 });
    const url = `${site.url}/landing?utm_source=newsletter&utm_medium=email&utm_campaign=launch#top`;
    await page.goto(url, { referer: "https://news.ycombinator.com/item?id=1" });
    const [hit] = await site.waitFor((h) => h.body.n === "pageview" && String(h.body.u).includes("/landing"));
    expect(hit!.path).toBe("/api/track");
    expect(hit!.contentType).toStartWith("text/plain");
    expect(hit!.body).toEqual({
      site: "site_test",
      n: "pageview",
      u: `${site.url}/landing?utm_source=newsletter&utm_medium=email&utm_campaign=launch`, // no #fragment without data-hash
      r: "https://news.ycombinator.com/item?id=1",
      w: 1111,
      h: false,
    });
    expect(site.preflights).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("SPA navigations: pushState and popstate are page views, replaceState on the same path is not; the page left gets its engagement", async () => {
    site.page("/app", { scriptTag: tag(), body: BODY });
    const { page, errors } = await visit();
    await page.goto(`${site.url}/app`);
    await scripted(page);
    const mine = (h: Hit) => String(h.body.u).includes("/app");
    await site.waitFor((h) => mine(h) && h.body.n === "pageview");
    await page.evaluate(() => history.pushState({}, "", "/app/pricing"));
    await page.evaluate(() => history.replaceState({}, "", "/app/pricing?tab=yearly"));
    await page.evaluate(() => history.pushState({}, "", "/app/docs"));
    await page.goBack(); // popstate → /app/pricing?tab=yearly
    await site.waitFor((h) => mine(h) && h.body.n === "pageview", 4);
    const views = site.hits.filter((h) => mine(h) && h.body.n === "pageview").map((h) => new URL(String(h.body.u)).pathname + new URL(String(h.body.u)).search);
    expect(views).toEqual(["/app", "/app/pricing", "/app/docs", "/app/pricing?tab=yearly"]);
    const engagement = site.hits.filter((h) => mine(h) && h.body.n === "engagement");
    // One per page left, about the page left (its URL), with time on page and scroll depth.
    expect(engagement.map((h) => new URL(String(h.body.u)).pathname)).toEqual(["/app", "/app/pricing", "/app/docs"]);
    for (const h of engagement) {
      expect(h.body.e).toBeNumber();
      expect(h.body.e as number).toBeGreaterThanOrEqual(0);
      expect(h.body.sd).toBeNumber();
    }
    expect(errors).toEqual([]);
  });

  test("hiding the page sends its engagement: visible time and the deepest scroll reached", async () => {
    site.page("/long", { scriptTag: tag(), body: BODY });
    const { page } = await visit();
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(`${site.url}/long`);
    await scripted(page);
    // The bottom… and wait for its scroll event (dispatched at the next frame, after the position
    // moved): the script's listener, added first, runs before this one resolves.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          addEventListener("scroll", () => resolve(), { once: true });
          window.scrollTo(0, document.documentElement.scrollHeight);
        }),
    );
    await page.evaluate(() => window.scrollTo(0, 0)); // …and back up: the depth reached counts
    await Bun.sleep(50);
    await page.goto("about:blank"); // leaving hides the page
    const [hit] = await site.waitFor((h) => h.body.n === "engagement" && String(h.body.u).endsWith("/long"));
    expect(hit!.body.sd).toBe(100);
    expect(hit!.body.e as number).toBeGreaterThan(0);
  });

  test("data-goal counts a click (with data-goal-* props, from a child element) and a form's submit once", async () => {
    site.page("/goals", { scriptTag: tag(), body: BODY });
    const { page } = await visit();
    await page.goto(`${site.url}/goals`);
    await scripted(page);
    await page.click("#inner");
    await page.click("#subscribe"); // a click inside the form: counts as its submit, not twice
    const mine = (h: Hit) => String(h.body.u).includes("/goals");
    const [signup] = await site.waitFor((h) => mine(h) && h.body.n === "signup");
    const [newsletter] = await site.waitFor((h) => mine(h) && h.body.n === "newsletter");
    expect(signup!.body.p).toEqual({ plan: "pro" });
    expect(newsletter!.body.p).toEqual({ list: "weekly" });
    await Bun.sleep(100);
    expect(site.hits.filter((h) => mine(h) && h.body.n === "newsletter")).toHaveLength(1);
  });

  test("the JS API: goal with revenue, track, identify; calls made before the script loaded are replayed", async () => {
    const stub = `<script>window.litekpi={q:[]};["goal","track","identify"].forEach(function(m){litekpi[m]=function(){litekpi.q.push([m,arguments])}});litekpi.goal("early",{from:"queue"})</script>`;
    site.page("/api", { head: stub, scriptTag: tag(), body: BODY });
    const { page, errors } = await visit();
    await page.goto(`${site.url}/api`);
    await scripted(page);
    await page.evaluate(() => {
      const lk = (window as any).litekpi;
      lk.goal("purchase", { revenue: { amount: 49, currency: "USD" }, variant: "B" });
      lk.track("video_played", { id: "intro" });
      lk.identify("ada@example.com");
      lk.goal(); // nonsense input: nothing thrown
      lk.goal("x", null);
    });
    const mine = (h: Hit) => String(h.body.u).includes("/api");
    const [early] = await site.waitFor((h) => mine(h) && h.body.n === "early");
    expect(early!.body.p).toEqual({ from: "queue" });
    const [purchase] = await site.waitFor((h) => mine(h) && h.body.n === "purchase");
    expect(purchase!.body.rev).toEqual({ amount: 49, currency: "USD" });
    expect(purchase!.body.p).toEqual({ variant: "B" });
    const [played] = await site.waitFor((h) => mine(h) && h.body.n === "video_played");
    expect(played!.body.p).toEqual({ id: "intro" });
    const [identify] = await site.waitFor((h) => mine(h) && h.body.n === "identify");
    expect(identify!.body.p).toEqual({ id: "ada@example.com" });
    expect(await page.evaluate(() => (window as any).litekpi.visitorId())).toBeUndefined(); // privacy mode: no id in the browser
    expect(errors).toEqual([]);
  });

  test("privacy mode sets no cookie and writes nothing to localStorage or sessionStorage", async () => {
    site.page("/private", { scriptTag: tag(), body: BODY });
    const { page, context } = await visit();
    await page.goto(`${site.url}/private?utm_source=x`);
    await scripted(page);
    await page.click("#signup");
    await page.evaluate(() => history.pushState({}, "", "/private/next"));
    await site.waitFor((h) => String(h.body.u).includes("/private/next"));
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length])).toEqual(["", 0, 0]);
  });

  test("data-persist: one random id in localStorage, sent with every event and returned by visitorId(), kept across visits until it expires", async () => {
    site.page("/persist", { scriptTag: tag(`data-persist="30"`), body: BODY });
    const { page, context } = await visit();
    await page.goto(`${site.url}/persist`);
    await scripted(page);
    const id = await page.evaluate(() => (window as any).litekpi.visitorId());
    expect(id).toMatch(/^\d{13}-\d{8,}$/); // what /api/track accepts: 8–64 of [A-Za-z0-9_-]
    const expiry = Number(String(id).split("-")[0]);
    expect(Math.abs(expiry - (Date.now() + 30 * 864e5))).toBeLessThan(60_000);
    await page.goto(`${site.url}/persist/again`);
    await scripted(page);
    const hits = await site.waitFor((h) => String(h.body.u).includes("/persist") && h.body.n === "pageview", 2);
    expect(hits.map((h) => h.body.v)).toEqual([id, id]);
    expect(await context.cookies()).toEqual([]);
    // An expired id is replaced by a fresh one.
    const stale = `${Date.now() - 1}-12345678`;
    await page.evaluate((v) => (localStorage.litekpi = v), stale);
    const fresh = await page.evaluate(() => (window as any).litekpi.visitorId());
    expect(fresh).toMatch(/^\d{13}-\d{8,}$/);
    expect([id, stale]).not.toContain(fresh);
  });

  test("data-exclude skips matching paths (* within a segment, ** across), data-hash counts #routes", async () => {
    site.page("/ex", { scriptTag: tag(`data-exclude="/ex/admin/**, /ex/drafts/*"`), body: BODY });
    const { page } = await visit();
    for (const path of ["/ex/admin/users/1", "/ex/drafts/one", "/ex/drafts/one/deeper", "/ex/public"]) {
      await page.goto(site.url + path);
      await scripted(page);
    }
    await site.waitFor((h) => String(h.body.u).endsWith("/ex/public"));
    await Bun.sleep(100);
    const seen = site.hits.filter((h) => String(h.body.u).includes("/ex/") && h.body.n === "pageview").map((h) => new URL(String(h.body.u)).pathname);
    expect(seen).toEqual(["/ex/drafts/one/deeper", "/ex/public"]);

    site.page("/hash", { scriptTag: tag("data-hash"), body: `<a id="to-b" href="#/b">b</a>` });
    await page.goto(`${site.url}/hash#/a`);
    await scripted(page);
    await page.click("#to-b");
    const views = await site.waitFor((h) => String(h.body.u).includes("/hash#") && h.body.n === "pageview", 2);
    expect(views.map((h) => h.body.u)).toEqual([`${site.url}/hash#/a`, `${site.url}/hash#/b`]);
  });

  test("data-dnt: with Do Not Track on, nothing is sent and the API still answers", async () => {
    site.page("/dnt", { scriptTag: tag("data-dnt"), body: BODY });
    const { page, errors } = await visit({ init: () => Object.defineProperty(Navigator.prototype, "doNotTrack", { get: () => "1" }) });
    await page.goto(`${site.url}/dnt`);
    await scripted(page);
    await page.click("#signup");
    await page.evaluate(() => (window as any).litekpi.goal("x"));
    site.page("/dnt-off", { scriptTag: tag(), body: BODY }); // the same visitor without data-dnt is counted
    await page.goto(`${site.url}/dnt-off`);
    await site.waitFor((h) => String(h.body.u).endsWith("/dnt-off"));
    expect(site.hits.filter((h) => String(h.body.u).includes("/dnt") && !String(h.body.u).includes("/dnt-off"))).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("never throws into the page when the endpoint is down", async () => {
    const down = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const deadUrl = `http://127.0.0.1:${down.port}`;
    down.stop(true); // the port is closed now: every beacon fails
    site.page("/down", { scriptTag: tag("", deadUrl), body: BODY });
    const { page, errors } = await visit({ init: () => ((window as any).__onerror = [], window.addEventListener("error", (e) => (window as any).__onerror.push(String(e.message))), window.addEventListener("unhandledrejection", (e) => (window as any).__onerror.push(String(e.reason)))) });
    await page.goto(`${site.url}/down`);
    await scripted(page);
    await page.click("#signup");
    await page.click("#subscribe");
    const thrown = await page.evaluate(() => {
      const lk = (window as any).litekpi;
      try {
        lk.goal("a");
        lk.track("b", { c: 1 });
        lk.identify("x");
        lk.visitorId();
        history.pushState({}, "", "/down/next");
        return null;
      } catch (e) {
        return String(e);
      }
    });
    await page.goto("about:blank");
    expect(thrown).toBeNull();
    expect(errors).toEqual([]);
    expect(site.hits.filter((h) => String(h.body.u).includes("/down"))).toEqual([]);
  });
});
