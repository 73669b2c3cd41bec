import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { signInBrowser } from "../helpers/sign-in";
import { launchBrowser, screenshot } from "../helpers/browser";
import { makeSite, CHROME_UA, FIREFOX_UA, IPHONE_UA } from "../web/support";

/**
 * In Chromium: goals defined on the Goals & funnels page (a page goal and a revenue goal), then
 * the web dashboard's Goals card, a click on a goal filtering every card to its conversions and
 * CR, and the goal details with the time-to-convert distribution — at 1280 px light and 320 px
 * dark, with the API's numbers.
 */
const T0 = Date.UTC(2026, 4, 10, 9);
const NOW = Date.UTC(2026, 4, 10, 15);
let server: TestServer;
let browser: Browser;
const clock = fixedClock(T0);

async function visits(site: Awaited<ReturnType<typeof makeSite>>) {
  const send = async (at: number, ip: string, ua: string, body: Record<string, unknown>) => {
    clock.set(at);
    const res = await server.fetch("/api/event", {
      method: "POST",
      headers: { "Content-Type": "text/plain", "User-Agent": ua, "X-Forwarded-For": ip },
      body: JSON.stringify({ d: site.domain, ...body, u: `https://${site.domain}${body.u}` }),
    });
    expect(res.status).toBe(202);
  };
  for (let i = 0; i < 12; i++) {
    const t = T0 + i * 600_000;
    const ip = `10.3.0.${i + 1}`;
    const ua = [CHROME_UA, FIREFOX_UA, IPHONE_UA][i % 3]!;
    await send(t, ip, ua, { n: "pageview", u: "/", r: i % 2 ? "https://www.google.com/" : "https://news.ycombinator.com/" });
    if (i % 3 !== 2) await send(t + (i + 1) * 20_000, ip, ua, { n: "pageview", u: "/pricing" });
    if (i % 2 === 0) await send(t + (i + 1) * 45_000, ip, ua, { n: "pageview", u: "/thank-you" });
    if (i % 4 === 0) await send(t + (i + 1) * 50_000, ip, ua, { n: "purchase", u: "/thank-you", $: { amount: 19 + i, currency: "USD" } });
  }
  await server.deps.queue.flushNow();
  clock.set(NOW);
}

beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function addGoal(page: Page, name: string, kind: "page" | "event", value: string, currency = "") {
  await page.fill("#goal-name", name);
  await page.check(`input[name="kind"][value="${kind}"]`);
  await page.fill("#goal-value", value);
  if (currency) await page.fill("#goal-currency", currency);
  await page.click('[data-testid="goal-form"] button[type="submit"]');
  await page.waitForSelector(`text=${name}`);
}

describe("goal cards in the browser", () => {
  for (const [width, scheme] of [[1280, "light"], [320, "dark"]] as const) {
    test(`goals defined in the UI, their card, a goal filter and the details at ${width} px (${scheme})`, async () => {
      const site = await makeSite(server.deps, { domain: `goals${width}.example.com`, timezone: "UTC" });
      await visits(site);
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      await signInBrowser(context, server, site.user.id);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

      await page.goto(`${server.url}/products/${site.product.id}/funnels`);
      await addGoal(page, "Thanks", "page", "/thank-you*");
      await addGoal(page, "Purchase", "event", "purchase", "USD");

      await page.goto(`${server.url}/products/${site.product.id}/web?range=7d`);
      const card = page.locator('[data-testid="card-goals"]');
      await card.scrollIntoViewIfNeeded();
      const rowText = async (name: string) => (await card.locator("tbody tr", { hasText: name }).locator("td").allTextContents()).map((t) => t.trim());
      const api = async (body: Record<string, unknown>) =>
        (await (await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${site.readKey}` }, body: JSON.stringify({ site_id: site.domain, date_range: "7d", ...body }) })).json()) as {
          results: { dimensions: string[]; metrics: number[] }[];
        };
      const thanks = (await api({ metrics: ["visitors", "events", "conversion_rate"], filters: [["is", "event:goal", ["Thanks"]]] })).results[0]!.metrics;
      expect(thanks).toEqual([6, 6, 50]);
      expect((await rowText("Thanks")).slice(0, 3)).toEqual(["6", "6", "50%"]);
      // Purchases of visitors 0, 4 and 8: $19 + $23 + $27.
      expect((await rowText("Purchase")).slice(0, 4)).toEqual(["3", "3", "25%", "$69.00"]);
      await screenshot(page, `goal-cards-${width}-${scheme}`);

      await card.locator("a", { hasText: "Thanks" }).click();
      await page.waitForSelector('[data-testid="web-filters"]');
      const sources = page.locator('[data-testid="card-sources"]');
      expect(await sources.locator("thead").textContent()).toContain("Conversions");
      const bySource = await api({ metrics: ["visitors", "conversion_rate"], dimensions: ["visit:source"], filters: [["is", "event:goal", ["Thanks"]]] });
      // Even-numbered visitors came from Hacker News and all of them converted; none from Google did.
      expect(bySource.results).toEqual([{ dimensions: ["Hacker News"], metrics: [6, 100] }]);
      expect((await sources.locator("tbody tr").first().locator("th, td").allTextContents()).map((t) => t.trim())).toEqual(["Hacker News", "6", "100%"]);
      await screenshot(page, `goal-filtered-${width}-${scheme}`);

      // The Goals card links to its details, where each goal's distribution is.
      await page.goto(`${server.url}/products/${site.product.id}/web?range=7d`);
      await page.locator('[data-testid="card-goals"] [data-testid="card-details"]', { hasText: "Time to convert" }).click();
      await page.waitForSelector('[data-testid="goal-time-histogram"]');
      await screenshot(page, `goal-details-${width}-${scheme}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
