import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createDashboard } from "../../src/dashboards/dashboards";
import { addWidget } from "../../src/dashboards/widgets";
import type { WidgetConfig } from "../../src/dashboards/widget-config";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { seedSignups, signedInOwner } from "./support";
import { signInBrowser } from "../helpers/sign-in";

/**
 * Issue 13 items 14 and 16 in headless Chromium: the custom-range panel and a lone number card
 * at 375 px, a rejected custom range, the range in each person's URL, the tab title after a
 * rename, the 404 page's header, and the URL after creating a report.
 */
describe("phone layout and URLs", () => {
  let server: TestServer;
  let browser: Browser;
  let owner: Awaited<ReturnType<typeof signedInOwner>>;
  let base: string;
  const contexts: BrowserContext[] = [];
  const config: WidgetConfig = { metric: "signups", aggregation: "sum", range: { kind: "last", n: 7, unit: "d" }, filters: {}, groupBy: [], compare: true, size: "half" };

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    owner = await signedInOwner(server, { name: "Phone Co" });
    await seedSignups(server, owner.product.id);
    const now = server.deps.clock.now();
    const d = createDashboard(server.deps.db, owner.product.id, { name: "Pocket" }, now);
    addWidget(server.deps.db, owner.product.id, d.id, { kind: "line", title: "Signups per day", config: { ...config, granularity: "day" } }, now);
    addWidget(server.deps.db, owner.product.id, d.id, { kind: "number", title: "Signups", config }, now);
    base = `${server.url}/products/${owner.product.id}/dashboards/${d.id}`;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  const open = async (width: number) => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    contexts.push(context);
    await signInBrowser(context, server, owner.user.id);
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    return page;
  };
  const number = (page: Page) => page.locator('.widget-slot[data-widget-title="Signups"]');
  const loaded = (page: Page) => number(page).locator(".number-widget, [data-testid=widget-problem]").first().waitFor();
  const box = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!;

  test("375 px: a lone number card takes the row; the custom-range panel opens inside the screen", async () => {
    const page = await open(375);
    await page.goto(base);
    await loaded(page);
    const grid = await box(page, "#widget-grid");
    const card = await box(page, '.widget-slot[data-widget-title="Signups"]');
    await page.click(".custom-range > summary");
    const panel = await box(page, ".custom-range-panel");
    await screenshot(page, "phone-01-custom-range-375");
    // Both at once, so a failure shows each.
    expect({ cardWidth: Math.round(card.width), panelInside: panel.x >= 0 && panel.x + panel.width <= 375 }).toEqual({ cardWidth: Math.round(grid.width), panelInside: true });
  }, 60_000);

  test("a rejected custom range is not shown as applied; a good one and a preset live in the URL", async () => {
    const page = await open(1280);
    await page.goto(base);
    await loaded(page);
    await page.click(".custom-range > summary");
    await page.fill(".custom-range-panel [name=from]", "2026-03-10");
    await page.fill(".custom-range-panel [name=to]", "2026-03-01");
    await page.click(".custom-range-panel button[type=submit]");
    await page.locator("[data-testid=range-error]").waitFor();
    await loaded(page);
    await screenshot(page, "phone-02-rejected-range");
    expect((await page.textContent(".custom-range > summary"))!.trim()).toBe("Custom");
    expect(await page.getAttribute('#range-picker button[value="widget"]', "aria-pressed")).toBe("true");
    expect(await number(page).locator(".widget-foot").textContent()).toContain("Last 7 days");

    await page.locator("#range-picker button", { hasText: "30d" }).click();
    await page.waitForURL(/[?&]range=30d/);
    await number(page).locator(".widget-foot", { hasText: "Last 30 days" }).waitFor();
    expect(await number(page).locator("a.menu-item[download]").getAttribute("href")).toContain("range=30d");
    // Another person (or tab) opening the dashboard still gets its default.
    const other = await open(1280);
    await other.goto(base);
    await number(other).locator(".widget-foot", { hasText: "Last 7 days" }).waitFor();
    // A reload keeps this person's range.
    await page.reload();
    await number(page).locator(".widget-foot", { hasText: "Last 30 days" }).waitFor();
  }, 60_000);

  test("renaming a dashboard or the product renames the tab", async () => {
    const page = await open(1280);
    await page.goto(base);
    expect(await page.title()).toBe("Pocket · Phone Co · LiteKPI");
    await page.click("[data-testid=dashboard-title]");
    await page.fill("#dashboard-name", "Pocket money");
    await page.keyboard.press("Enter");
    await page.locator("[data-testid=dashboard-title]", { hasText: "Pocket money" }).waitFor();
    await page.waitForFunction(() => document.title.startsWith("Pocket money"));
    expect(await page.title()).toBe("Pocket money · Phone Co · LiteKPI");
    // The product's own rename, in settings, too.
    await page.goto(`${server.url}/products/${owner.product.id}/settings`);
    expect(await page.title()).toBe("General · Phone Co · LiteKPI");
    await page.fill("#settings-name", "Phone Inc");
    await page.click("#general button[type=submit]");
    await page.locator("#general .notice", { hasText: "Saved" }).waitFor();
    await page.waitForFunction(() => document.title.includes("Phone Inc"));
    expect(await page.title()).toBe("General · Phone Inc · LiteKPI");
    await page.goto(`${server.url}/products/${owner.product.id}/settings`);
    await page.fill("#settings-name", "Phone Co");
    await page.click("#general button[type=submit]");
    await page.waitForFunction(() => document.title.includes("Phone Co"));
  }, 60_000);

  test("the 404 page has the header and a way back", async () => {
    const page = await open(1280);
    const res = await page.goto(`${server.url}/products/${owner.product.id}/dashboards/nope`);
    expect(res!.status()).toBe(404);
    await screenshot(page, "phone-03-not-found");
    expect(await page.locator(".app-header .switcher-button").count()).toBe(1);
    await page.click("[data-testid=error-back]");
    await page.waitForURL(`${server.url}/`);
    const anon = await (await browser.newContext()).newPage();
    const res2 = await anon.goto(`${server.url}/no-such-page`);
    expect(res2!.status()).toBe(404);
    expect(await anon.locator(".app-header a[href='/login']").count()).toBe(1);
    await anon.context().close();
  }, 60_000);

  test("creating a report leaves /reports/new for the report's place on the reports page", async () => {
    const page = await open(1280);
    await page.goto(`${base}/reports/new`);
    await page.fill("[data-testid=report-recipients]", "founder@phone.test");
    await page.click("[data-testid=save-report]");
    await page.waitForSelector("[data-testid=report-card]");
    const id = await page.getAttribute("[data-testid=report-card]", "data-report-id");
    await page.waitForURL(`${base}/reports#report-${id}`);
    await page.reload();
    await page.waitForSelector(`#report-${id}`);
    expect(await page.locator("[data-testid=report-form]").count()).toBe(0);
  }, 60_000);
});
