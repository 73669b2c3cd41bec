import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signInBrowser } from "../helpers/sign-in";
import { trackerScript } from "../../src/web/tracker/script";
import { startSite, type TestSite } from "./site";
import { CHROME_UA, makeSite } from "./support";
import { signIn } from "../helpers/sign-in";
import { makeUser } from "../helpers/factories";
import { addMember } from "../../src/teams/memberships";
import { cardColumns, CARDS } from "../../src/web/dashboard/cards";
import { cardCsv } from "../../src/web/dashboard/card-csv";
import { resolvePeriods } from "../../src/web/dashboard/periods";
import { cardQueries, CSV_ROWS, readCard, type WebAnswer } from "../../src/web/dashboard/queries";
import { parseWebView } from "../../src/web/dashboard/view";

/**
 * End to end in headless Chromium: a customer's page on its own loopback origin with our t.js
 * (and the same page with Plausible's npm tracker) sends to the real server; the numbers are read
 * back through POST /api/v2/query with a read key and must match what the browser did; then the
 * owner's web dashboard shows the same numbers, filters on a click, and the install page's test
 * visit turns green.
 */
describe("web analytics end to end", () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let ours: Awaited<ReturnType<typeof makeSite>>;
  let theirs: Awaited<ReturnType<typeof makeSite>>;

  beforeAll(async () => {
    server = await startTestServer();
    site = startSite();
    browser = await launchBrowser();
    // Our script names the product by its token and the page's host must be a listed domain;
    // Plausible's names it by `d`, whatever the page's host.
    ours = await makeSite(server.deps, { domain: "127.0.0.1", timezone: "UTC" });
    theirs = await makeSite(server.deps, { domain: "shop.test", timezone: "UTC" });
    const src = `${server.url}/t.js?v=${(await trackerScript()).version}`;
    const body = `<main><h1>Shop</h1><button id="signup" data-goal="signup" data-goal-plan="pro">Sign up</button><a id="pricing" href="/s/pricing">Pricing</a></main>`;
    site.page("/s", { scriptTag: `<script defer src="${src}" data-site="${ours.siteToken}"></script>`, body });
    const config = { domain: "shop.test", endpoint: `${server.url}/api/event`, captureOnLocalhost: true, logging: false };
    site.page("/p", { head: `<script>window.__plausible_config=${JSON.stringify(config)}</script><script src="/plausible.js"></script>`, body });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    site?.stop();
    await server?.stop();
  });

  /** A visitor with an ordinary desktop Chrome User-Agent (headless ones are dropped as bots, on purpose). */
  const visitor = async () => {
    const context = await browser.newContext({ userAgent: CHROME_UA, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    return { context, page, errors };
  };

  const query = async (key: string, body: Record<string, unknown>) => {
    const res = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify({ date_range: "day", ...body }) });
    expect(res.status).toBe(200);
    return (await res.json()) as { results: { dimensions: string[]; metrics: number[] }[] };
  };
  /** Polls until the answer satisfies `ok` (beacons are fire-and-forget; the server answers 202 after commit). */
  const eventually = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    let last: T;
    for (let i = 0; i < 300; i++) {
      last = await read();
      if (ok(last)) return last;
      await Bun.sleep(20);
    }
    return last!;
  };
  const asMap = (a: { results: { dimensions: string[]; metrics: number[] }[] }) => Object.fromEntries(a.results.map((r) => [r.dimensions.join(" | "), r.metrics[0]]));

  /** One visit: a landing page with UTM tags from a referrer, a goal click, two SPA navigations, a popstate. */
  const browse = async (page: Page, prefix: string) => {
    await page.goto(`${site.url}${prefix}?utm_source=newsletter&utm_medium=email&utm_campaign=launch`, { referer: "https://news.ycombinator.com/item?id=1" });
    if (prefix === "/s") {
      await page.waitForFunction(() => typeof (window as any).litekpi?.goal === "function");
      await page.click("#signup");
    } else await page.waitForFunction(() => typeof (window as any).plausible === "function");
    await page.evaluate((p) => history.pushState({}, "", `${p}/pricing`), prefix);
    await page.evaluate((p) => history.pushState({}, "", `${p}/docs`), prefix);
    await page.goBack();
  };

  test("t.js: page views, SPA navigations, the data-goal click, UTM and referrer, read back through /api/v2/query", async () => {
    const { page, errors } = await visitor();
    await browse(page, "/s");
    const site_id = ours.domain;
    const totals = await eventually(() => query(ours.readKey, { site_id, metrics: ["visitors", "visits", "pageviews"] }), (a) => a.results[0]?.metrics[2] === 4);
    expect(totals.results[0]!.metrics).toEqual([1, 1, 4]);
    const pages = await query(ours.readKey, { site_id, metrics: ["pageviews"], dimensions: ["event:page"] });
    expect(asMap(pages)).toEqual({ "/s": 1, "/s/pricing": 2, "/s/docs": 1 });
    const goals = await eventually(() => query(ours.readKey, { site_id, metrics: ["visitors", "events"], dimensions: ["event:goal"] }), (a) => a.results.length > 0);
    expect(goals.results).toEqual([{ dimensions: ["signup"], metrics: [1, 1] }]);
    const visit = await query(ours.readKey, { site_id, metrics: ["visitors"], dimensions: ["visit:source", "visit:utm_medium", "visit:utm_campaign", "visit:referrer"] });
    expect(visit.results).toEqual([{ dimensions: ["newsletter", "email", "launch", "news.ycombinator.com/item"], metrics: [1] }]); // the referrer as Plausible keeps it: host and path
    expect(await page.context().cookies()).toEqual([]);
    expect(errors).toEqual([]);
  });

  test("@plausible-analytics/tracker pointed at our /api/event counts the same page views", async () => {
    const { page, errors } = await visitor();
    await browse(page, "/p");
    const site_id = theirs.domain;
    const totals = await eventually(() => query(theirs.readKey, { site_id, metrics: ["visitors", "visits", "pageviews"] }), (a) => a.results[0]?.metrics[2] === 4);
    expect(totals.results[0]!.metrics).toEqual([1, 1, 4]);
    const pages = await query(theirs.readKey, { site_id, metrics: ["pageviews"], dimensions: ["event:page"] });
    expect(asMap(pages)).toEqual({ "/p": 1, "/p/pricing": 2, "/p/docs": 1 });
    const source = await query(theirs.readKey, { site_id, metrics: ["visitors"], dimensions: ["visit:source", "visit:utm_campaign"] });
    expect(source.results).toEqual([{ dimensions: ["newsletter", "launch"], metrics: [1] }]);
    expect(errors).toEqual([]);
  });

  test("the owner's web dashboard shows the API's numbers, filters on a click, downloads a card's CSV; screenshots", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await signInBrowser(context, server, ours.user.id);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    const base = `${server.url}/products/${ours.product.id}/web`;
    await page.goto(`${base}?range=today`);
    const api = await query(ours.readKey, { site_id: ours.domain, metrics: ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"] });
    const [visitors, visits, pageviews, bounce, duration] = api.results[0]!.metrics;
    const shown = async (m: string) => Number(await page.getAttribute(`[data-testid=stat-${m}] .web-stat-value`, "data-value"));
    expect([await shown("visitors"), await shown("visits"), await shown("pageviews"), await shown("bounce_rate"), await shown("visit_duration")]).toEqual([visitors!, visits!, pageviews!, bounce!, duration!]);
    expect(await page.textContent("[data-testid=web-realtime]")).toContain("1 current visitor");
    await page.waitForSelector("[data-testid=web-chart][data-chart-ready]");
    expect(await page.textContent("[data-testid=card-pages]")).toContain("/s/pricing");
    expect(await page.textContent("[data-testid=card-goals]")).toContain("signup");
    await screenshot(page, "web-dashboard-1280-light");

    // A click on a row filters the whole page, keeps the range, and shows as a removable chip.
    await page.click("[data-testid=card-pages] a.web-row-text:has-text('/s/docs')");
    await page.waitForSelector("[data-testid=web-filters]");
    expect(page.url()).toContain("range=today");
    expect(new URL(page.url()).searchParams.get("page")).toBe("/s/docs");
    const filtered = await query(ours.readKey, { site_id: ours.domain, metrics: ["visitors", "pageviews"], filters: [["is", "event:page", ["/s/docs"]]] });
    expect(await shown("pageviews")).toBe(filtered.results[0]!.metrics[1]!);
    await page.click("[data-testid=web-filters] .chip-remove");
    await page.waitForFunction(() => !document.querySelector("[data-testid=web-filters]"));

    // A tab swaps only its card (htmx partial); a number swaps the chart's metric and the URL.
    await page.click("[data-testid=card-pages] a:has-text('Entry pages')");
    await page.waitForSelector("[data-testid=card-pages][data-tab=entry]");
    await page.click("[data-testid=stat-pageviews]");
    await page.waitForSelector("[data-testid=stat-pageviews][aria-current=true]");
    expect(page.url()).toContain("metric=pageviews");

    const csv = await context.request.get(`${base}/cards/pages/csv?range=today&tab=pages`);
    expect(csv.headers()["content-type"]).toStartWith("text/csv");
    expect((await csv.text()).split("\r\n").slice(0, 2)).toEqual(["event:page,visitors", "/s,1"]);

    for (const [width, scheme] of [[1280, "dark"], [320, "light"], [320, "dark"]] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      contexts.push(ctx);
      await signInBrowser(ctx, server, ours.user.id);
      const p = await ctx.newPage();
      await p.goto(`${base}?range=today`);
      await p.waitForSelector("[data-testid=web-chart][data-chart-ready]");
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true); // nothing scrolls sideways
      await screenshot(p, `web-dashboard-${width}-${scheme}`);
    }
    expect(errors).toEqual([]);
  });

  test("every card and tab of the dashboard equals /api/v2/query for the same body (read through its CSV)", async () => {
    const owner = signIn(server, ours.user.id);
    for (const filters of ["", "&source=newsletter", "&page=%2Fs%2Fdocs"]) {
      const view = parseWebView(new URLSearchParams(`range=today${filters}`));
      const periods = resolvePeriods(view.range, "UTC", server.deps.clock.now());
      for (const card of CARDS) {
        for (const tab of card.tabs) {
          const res = await owner.get(`/products/${ours.product.id}/web/cards/${card.id}/csv?range=today${filters}&tab=${tab.id}`);
          expect(res.status).toBe(200);
          const columns = cardColumns(card, tab, { enabled: false, goal: null }, true);
          const api = (await query(ours.readKey, { site_id: ours.domain, ...cardQueries(columns, tab, view, periods, CSV_ROWS, null).main })) as unknown as WebAnswer;
          expect({ card: card.id, tab: tab.id, filters, csv: await res.text() }).toEqual({ card: card.id, tab: tab.id, filters, csv: cardCsv(tab, readCard(api, tab, columns)) });
        }
      }
    }
  });

  test("a member sees the dashboard; a product with no visits yet points at the install page", async () => {
    const member = await makeUser(server);
    addMember(server.deps.db, ours.product.id, member.id, server.deps.clock.now());
    const asMember = await signIn(server, member.id).get(`/products/${ours.product.id}/web?range=today`);
    expect(asMember.status).toBe(200);
    expect(await asMember.text()).toContain(`data-testid="web-stats"`);
    const fresh = await makeSite(server.deps, { domain: "new.example" });
    const page = await (await signIn(server, fresh.user.id).get(`/products/${fresh.product.id}/web`)).text();
    expect(page).toContain('data-testid="web-empty"');
    expect(page).toContain(`href="/products/${fresh.product.id}/web/install"`);
    const realtime = await signIn(server, fresh.user.id).get(`/products/${fresh.product.id}/web/realtime`, { "HX-Request": "true" });
    expect(await realtime.text()).toContain("<strong>0</strong> current visitors");
    const panel = await signIn(server, fresh.user.id).get(`/products/${fresh.product.id}/web?range=7d`, { "HX-Request": "true" });
    expect(panel.headers.get("vary")).toContain("HX-Request");
    expect(await panel.text()).toStartWith('<section id="web-panel"');
  });

  test("the install page: the real snippet, and a test visit that turns the status green", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await signInBrowser(context, server, ours.user.id);
    const page = await context.newPage();
    await page.goto(`${server.url}/products/${ours.product.id}/web/install`);
    const snippet = (await page.textContent("[data-testid=snippet]"))!;
    expect(snippet).toBe(`<script defer src="${server.deps.config.baseUrl}/t.js?v=${(await trackerScript()).version}" data-site="${ours.siteToken}"></script>`);
    expect(await page.getAttribute("[data-testid=send-test-visit]", "href")).toBe("https://127.0.0.1/?utm_source=litekpi-test");
    expect(await page.getAttribute("[data-testid=test-visit]", "data-state")).toBe("waiting");
    await screenshot(page, "web-install-1280-light");
    for (const tab of ["nextjs", "wordpress", "gtm"]) {
      await page.click(`[data-testid=tab-${tab}]`);
      expect(await page.textContent("[data-testid=snippet]")).toContain(ours.siteToken);
    }
    await page.goto(`${server.url}/products/${ours.product.id}/web/install`);
    // The test visit (the link opens the site over https; the test site is plain http on loopback).
    const { page: visit } = await visitor();
    await visit.goto(`${site.url}/s?utm_source=litekpi-test`);
    await page.waitForSelector("[data-testid=test-visit][data-state=arrived]", { timeout: 15_000 });
    await screenshot(page, "web-install-arrived");
    for (const [width, scheme] of [[1280, "dark"], [320, "light"], [320, "dark"]] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      contexts.push(ctx);
      await signInBrowser(ctx, server, ours.user.id);
      const p = await ctx.newPage();
      await p.goto(`${server.url}/products/${ours.product.id}/web/install?tab=nextjs`);
      await p.click(".install-more > summary");
      // The product nav scrolls sideways on phones (its links may sit past the edge inside it).
      const wide = await p.evaluate(() => Array.from(document.querySelectorAll("body *")).filter((e) => !e.closest(".app-nav") && e.getBoundingClientRect().right > window.innerWidth + 1).map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`).slice(0, 8));
      expect(wide).toEqual([]);
      await screenshot(p, `web-install-${width}-${scheme}`);
    }
  }, 90_000); // a browser test with four contexts, a 3 s status poll and six screenshots
});
