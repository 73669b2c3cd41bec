import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import Stripe from "stripe";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signIn, signInBrowser } from "../helpers/sign-in";
import { trackerScript } from "../../src/web/tracker/script";
import { startSite, type TestSite } from "../web/site";
import { CHROME_UA, makeSite } from "../web/support";
import { getWebSettings, saveWebSettings } from "../../src/web/sites";
import { setIntegration } from "../../src/revenue/integrations";
import { createGoal } from "../../src/goals/goals";
import { addXLink } from "../../src/revenue/x-links";

/**
 * The issue's end to end, in headless Chromium with a fixed clock: three visitors land on a
 * customer's page with our t.js in attribution mode (data-persist) — two from utm_source=newsletter,
 * one from google; three days later a Stripe checkout.session.completed signed by `stripe`'s own
 * signer carries the first one's visitor id. The owner's web dashboard then shows newsletter with
 * the amount in the sources card, and its RPV and conversion rate equal a reference computed
 * here (and the API's); the revenue top number, the card CSV, and the MRR and LTV cards (equal
 * to /api/v1/revenue/*) are there too. Screenshots at 1280 and 320 px, light and dark.
 */
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 10); // Monday 2 March 2026, 10:00 UTC

describe("revenue on the web dashboard, end to end", () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  let shop: Awaited<ReturnType<typeof makeSite>>;
  let now = T0;
  const contexts: BrowserContext[] = [];
  const stripe = new Stripe("sk_test_x");
  const secret = "whsec_e2e_revenue_secret";

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now } });
    site = startSite();
    browser = await launchBrowser();
    shop = await makeSite(server.deps, { domain: "127.0.0.1", timezone: "UTC" });
    saveWebSettings(server.deps.db, shop.product.id, { ...getWebSettings(server.deps.db, shop.product.id), mode: "attribution" }, now);
    setIntegration(server.deps.db, server.deps.config.secret, shop.product.id, "stripe", secret, now);
    createGoal(server.deps.db, shop.product.id, { name: "Purchase", event: "purchase", currency: "USD" }, now);
    const src = `${server.url}/t.js?v=${(await trackerScript()).version}`;
    site.page("/shop", { scriptTag: `<script defer src="${src}" data-site="${shop.siteToken}" data-persist="30"></script>`, body: "<main><h1>Shop</h1></main>" });
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    site?.stop();
    await server?.stop();
  });

  const stripeHook = async (type: string, object: Record<string, unknown>, id: string) => {
    const payload = JSON.stringify({ id, type, created: Math.floor(now / 1000), data: { object } });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: Math.floor(now / 1000) });
    const res = await server.fetch(`/api/v1/hooks/stripe/${shop.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } });
    expect(res.status).toBe(200);
  };
  const api = async (path: string, body?: unknown) => {
    const res = await server.fetch(path, body ? { method: "POST", headers: { Authorization: `Bearer ${shop.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify(body) } : { headers: { Authorization: `Bearer ${shop.readKey}` } });
    expect(res.status).toBe(200);
    return res.json();
  };
  /** A visit from a real browser (an ordinary desktop UA: headless ones are dropped as bots); answers the id the script keeps. */
  const visit = async (query: string): Promise<string> => {
    const context = await browser.newContext({ userAgent: CHROME_UA });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${site.url}/shop${query}`);
    await page.waitForFunction(() => typeof (window as any).litekpi?.visitorId === "function");
    return page.evaluate(() => (window as any).litekpi.visitorId() as string);
  };
  const eventually = async (ok: () => Promise<boolean>) => {
    for (let i = 0; i < 300 && !(await ok()); i++) await Bun.sleep(20);
  };

  test("a newsletter visit paid for three days later shows as newsletter's revenue; RPV and conversion equal the reference", async () => {
    const payer = await visit("?utm_source=newsletter&utm_campaign=march");
    await visit("?utm_source=newsletter&utm_campaign=march");
    await visit("?utm_source=google");
    const range = { site_id: shop.domain, date_range: ["2026-03-01", "2026-03-07"] };
    await eventually(async () => (await api("/api/v2/query", { ...range, metrics: ["visitors"] })).results[0]?.metrics[0] === 3);

    now = T0 + 3 * DAY;
    await stripeHook("checkout.session.completed", { id: "cs_e2e", mode: "payment", payment_status: "paid", amount_total: 4900, currency: "usd", customer: "cus_e2e", metadata: { litekpi_visitor_id: payer } }, "evt_e2e_1");
    // A subscription in each of two currencies, for the MRR card: never summed.
    const sub = (id: string, amount: number, currency: string) => ({ id, status: "active", currency, customer: `cus_${id}`, items: { data: [{ quantity: 1, price: { unit_amount: amount, currency, recurring: { interval: "month", interval_count: 1 } } }] } });
    await stripeHook("customer.subscription.created", sub("sub_usd", 2900, "usd"), "evt_e2e_2");
    await stripeHook("customer.subscription.created", sub("sub_eur", 1900, "eur"), "evt_e2e_3");
    now = T0 + 3 * DAY + 3_600_000;

    // The reference, from what the browser did: 2 newsletter visitors, 1 paid 49 USD.
    const reference = { revenue: 49, visitors: 2, rpv: Math.round((49 / 2) * 100) / 100, conversion: Math.round(((100 * 1) / 2) * 100) / 100 };
    const bySource = await api("/api/v2/query", { ...range, metrics: ["visitors", "revenue", "purchases", "rpv"], dimensions: ["visit:source"] });
    expect(bySource.results.find((r: { dimensions: string[] }) => r.dimensions[0] === "newsletter").metrics).toEqual([reference.visitors, reference.revenue, 1, reference.rpv]);
    const cr = await api("/api/v2/query", { ...range, metrics: ["conversion_rate"], dimensions: ["visit:source"], filters: [["is", "event:goal", ["purchase"]]] });
    expect(cr.results).toEqual([{ dimensions: ["newsletter"], metrics: [reference.conversion] }]);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    await signInBrowser(context, server, shop.user.id);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    const base = `${server.url}/products/${shop.product.id}/web`;
    await page.goto(`${base}?from=2026-03-01&to=2026-03-07`);
    const cell = async (card: string, row: string, metric: string) => {
      const tr = page.locator(`[data-testid=card-${card}] tbody tr`).filter({ has: page.locator(`.web-row-text:text-is("${row}")`) });
      return Number(await tr.locator(`td[data-metric=${metric}]`).getAttribute("data-value"));
    };
    expect(await cell("sources", "newsletter", "visitors")).toBe(reference.visitors);
    expect(await cell("sources", "newsletter", "revenue")).toBe(reference.revenue);
    expect(await cell("sources", "newsletter", "rpv")).toBe(reference.rpv);
    expect(await cell("sources", "newsletter", "conversion_rate")).toBe(reference.conversion);
    expect(await cell("sources", "google", "revenue")).toBe(0);
    expect(await cell("sources", "google", "conversion_rate")).toBe(0);
    expect(await page.textContent("[data-testid=card-sources] tbody tr:has-text('newsletter')")).toContain("$49.00");
    expect(Number(await page.getAttribute("[data-testid=stat-revenue] .web-stat-value", "data-value"))).toBe(49);
    // The campaign tab, the countries card: every visit breakdown has the revenue columns.
    await page.click("[data-testid=card-campaigns] a:has-text('Campaign')");
    await page.waitForSelector("[data-testid=card-campaigns][data-tab=campaign]");
    expect(await cell("campaigns", "march", "revenue")).toBe(49);
    expect(await page.locator("[data-testid=card-pages] th[data-metric=revenue]").count()).toBe(0); // a page view has no revenue of its own

    // MRR and LTV: the API's numbers, per currency.
    const mrr = await api("/api/v1/revenue/mrr?months=6");
    for (const currency of ["USD", "EUR"]) {
      const months = mrr.currencies[currency];
      expect(Number(await page.getAttribute(`[data-testid=mrr-now-${currency}]`, "data-value"))).toBe(months.at(-1).mrr);
      const march = page.locator(`[data-testid=card-mrr] [data-currency=${currency}] tr[data-month="2026-03"]`);
      expect(Number(await march.locator("td[data-metric=new]").getAttribute("data-value"))).toBe(months.at(-1).new);
    }
    expect(mrr.currencies.USD.at(-1)).toMatchObject({ month: "2026-03", mrr: 29, new: 29 });
    await page.click("[data-testid=card-ltv] a:has-text('By source')");
    await page.waitForSelector("[data-testid=card-ltv][data-tab=source]");
    const ltv = await api("/api/v1/revenue/ltv?by=source");
    expect(ltv.sources).toEqual([{ source: "newsletter", customers: 1, revenue: 49, ltv: 49 }]);
    expect(Number(await page.getAttribute("[data-testid=card-ltv] tr[data-row=newsletter] td[data-metric=ltv]", "data-value"))).toBe(49);
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    await screenshot(page, "revenue-dashboard-1280-light");

    // The card's CSV has the revenue columns, the details page shows purchases too.
    const csv = await context.request.get(`${base}/cards/sources/csv?from=2026-03-01&to=2026-03-07&tab=sources`);
    const lines = (await csv.text()).split("\r\n");
    expect(lines[0]).toBe("visit:source,visitors,revenue,purchases,rpv,conversion_rate");
    expect(lines).toContain(`newsletter,2,49,1,24.5,50`);
    expect(lines).toContain(`google,1,0,0,0,0`);

    for (const [width, scheme] of [[1280, "dark"], [320, "light"], [320, "dark"]] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      contexts.push(ctx);
      await signInBrowser(ctx, server, shop.user.id);
      const p: Page = await ctx.newPage();
      await p.goto(`${base}?from=2026-03-01&to=2026-03-07`);
      await p.waitForSelector("[data-testid=web-chart][data-chart-ready]");
      expect(await p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true); // nothing scrolls sideways
      await screenshot(p, `revenue-dashboard-${width}-${scheme}`);
    }
    expect(errors).toEqual([]);
  }, 120_000);

  test("Settings → Revenue: the X posts section, at 1280 and 320 px, light and dark", async () => {
    addXLink(server.deps.db, shop.product.id, { link: "https://t.co/AbC123", label: "Launch thread", postUrl: "https://x.com/maker/status/1777" }, now);
    for (const [width, scheme] of [[1280, "light"], [320, "dark"]] as const) {
      const ctx = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      contexts.push(ctx);
      await signInBrowser(ctx, server, shop.user.id);
      const p = await ctx.newPage();
      await p.goto(`${server.url}/products/${shop.product.id}/settings/revenue#x-links`);
      expect(await p.textContent("[data-testid=x-links-table]")).toContain("Launch thread");
      const wide = await p.evaluate(() => Array.from(document.querySelectorAll("[data-testid=x-links] *")).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1).length);
      expect(wide).toBe(0);
      await (await p.$("[data-testid=x-links]"))!.screenshot({ path: `${import.meta.dir}/../artifacts/revenue-x-links-${width}-${scheme}.png` });
    }
  });

  test("a product without payments shows no revenue columns and no MRR card", async () => {
    const plain = await makeSite(server.deps, { domain: "plain.example", timezone: "UTC" });
    const html = await (await signIn(server, plain.user.id).get(`/products/${plain.product.id}/web?range=7d`)).text();
    expect(html).toContain('data-testid="card-sources"');
    expect(html).not.toContain('data-metric="revenue"');
    expect(html).not.toContain('data-testid="card-mrr"');
    expect(html).not.toContain('data-testid="stat-revenue"');
    const other = await signIn(server, plain.user.id).get(`/products/${shop.product.id}/web/revenue/ltv?by=source`);
    expect(other.status).toBe(404);
  });
});
