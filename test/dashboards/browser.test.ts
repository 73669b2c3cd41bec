import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { launchBrowser, screenshot as save } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { seedSignups, signedInOwner } from "./support";
import { signInBrowser } from "../helpers/sign-in";

/**
 * The flow in headless Chromium: create a dashboard → add line, number and table widgets
 * on ingested data → change granularity and see the chart change → filter by a tag → reorder by
 * drag (and by keyboard) → export CSV from a widget → delete a widget → rename and delete the
 * dashboard; the empty state; dark mode; screenshots at 1280 and 375 px.
 */
describe("dashboards in a browser", () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
  });

  const open = async (userId: string, opts: { width?: number; colorScheme?: "light" | "dark" } = {}) => {
    const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, colorScheme: opts.colorScheme ?? "light", acceptDownloads: true });
    contexts.push(context);
    await signInBrowser(context, server, userId);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("dialog", (d) => void d.accept());
    return { page, errors };
  };

  // Full-page shots from the top, so the sticky header is drawn where it belongs.
  const screenshot = async (page: Page, name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0));
    await save(page, name);
  };
  const slot = (page: Page, title: string) => page.locator(`.widget-slot[data-widget-title="${title}"]`);
  const titles = (page: Page) => page.locator("#widget-grid > .widget-slot").evaluateAll((els) => els.map((e) => e.getAttribute("data-widget-title")));
  const menu = async (card: Locator, item: string) => {
    await card.locator("details.menu > summary").click();
    await card.locator(".menu-items").getByText(item, { exact: true }).click();
  };

  /** Fills the open widget form and submits it; waits until the new/edited card has loaded. */
  const fillWidget = async (page: Page, w: { kind?: string; title?: string; metric?: string; aggregation?: string; granularity?: string; n?: string; unit?: string; groupBy?: string; filter?: [string, string] }) => {
    const form = page.locator("[data-testid=widget-form]");
    await form.waitFor();
    if (w.kind) await form.locator("label.kind-option", { hasText: w.kind }).click();
    if (w.title !== undefined) await form.locator("#wf-title").fill(w.title);
    if (w.metric) await form.locator("#wf-metric").fill(w.metric);
    if (w.aggregation) await form.locator("#wf-aggregation").selectOption(w.aggregation);
    if (w.granularity) await form.locator("#wf-granularity").selectOption(w.granularity);
    if (w.n) await form.locator("[name=range_n]").fill(w.n);
    if (w.unit) await form.locator("[name=range_unit]").selectOption(w.unit);
    if (w.groupBy !== undefined) await form.locator("#wf-group-by").fill(w.groupBy);
    if (w.filter) {
      await form.locator("[name=filter_key]").last().fill(w.filter[0]);
      await form.locator("[name=filter_value]").last().fill(w.filter[1]);
    }
    await form.locator("button[type=submit]").click();
    await form.waitFor({ state: "detached" });
  };
  const loaded = (card: Locator) => card.locator("[data-testid=widget]").waitFor();
  const chartPoints = async (card: Locator) => {
    await card.locator("[data-chart-ready]").waitFor();
    return Number(await card.locator("[data-testid=widget-chart]").getAttribute("data-points"));
  };

  test(
    "create → line, number, table → granularity → filter → drag → export → delete widget → rename → delete dashboard",
    async () => {
      const owner = await signedInOwner(server, { timezone: "Europe/Berlin", name: "Acme" });
      await seedSignups(server, owner.product.id, { days: 60 });
      const { page, errors } = await open(owner.user.id);

      // ── create a dashboard from the product home (data exists, so no onboarding) ──
      await page.goto(`${server.url}/products/${owner.product.id}`);
      expect(await page.locator("[data-testid=onboarding]").count()).toBe(0);
      await page.fill("#new-dashboard-name", "Growth");
      await page.click("[data-testid=create-dashboard]");
      await page.waitForURL(/\/dashboards\/[a-z0-9]+$/);
      const dashboardUrl = page.url();
      await page.locator("[data-testid=dashboard-empty]").waitFor();
      expect(await page.locator("[data-testid=dashboard-empty]").isVisible()).toBe(true);
      await screenshot(page, "dashboards-01-empty-1280");

      // ── line, number, table ──
      await page.click("[data-testid=add-widget]");
      await fillWidget(page, { kind: "Line chart", title: "Signups per day", metric: "signups", granularity: "day", n: "60", unit: "d", groupBy: "country" });
      const line = slot(page, "Signups per day");
      const dailyPoints = await chartPoints(line);
      expect(dailyPoints).toBeGreaterThanOrEqual(60);
      expect(await line.locator(".legend li").allTextContents()).toEqual(expect.arrayContaining(["US", "DE", "FR"]));
      expect(await page.locator("[data-testid=dashboard-empty]").isVisible()).toBe(false);

      await page.click("[data-testid=add-widget]");
      await fillWidget(page, { kind: "Number", title: "Signups this week", metric: "signups", n: "7", unit: "d" });
      const number = slot(page, "Signups this week");
      await loaded(number);
      const total = Number(await number.locator("[data-testid=widget-figure]").getAttribute("data-value"));
      expect(total).toBeGreaterThan(0);
      await expect(number.locator("[data-testid=widget-change]").textContent()).resolves.toContain("vs previous 7 days");

      await page.click("[data-testid=add-widget]");
      await fillWidget(page, { kind: "Table", title: "Signups by plan", metric: "signups", granularity: "day", n: "14", unit: "d", groupBy: "plan" });
      const table = slot(page, "Signups by plan");
      await loaded(table);
      expect(await table.locator("tbody tr").count()).toBe(10); // a page of 10 (15 days × 2 plans)
      await table.getByRole("button", { name: "Next ›" }).click();
      await table.locator("[data-testid=table-page]", { hasText: /2\s*\/\s*3/ }).waitFor();
      await table.locator("th button", { hasText: "Sum" }).click(); // sort by value, largest first
      await table.locator("th[aria-sort=descending]", { hasText: "Sum" }).waitFor();
      const sorted = (await table.locator("tbody td.num").allTextContents()).map(Number);
      expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
      await screenshot(page, "dashboards-02-three-widgets-1280");

      // ── change granularity: the chart changes ──
      await menu(line, "Edit");
      await fillWidget(page, { granularity: "week" });
      const weeklyPoints = await chartPoints(slot(page, "Signups per day"));
      expect(weeklyPoints).toBeLessThan(dailyPoints);
      expect(weeklyPoints).toBeGreaterThanOrEqual(9);

      // ── filter by a tag: the number shrinks to the US share, equal to the query API's answer ──
      await menu(number, "Edit");
      await page.locator("[data-testid=widget-form] #wf-title").waitFor();
      await fillWidget(page, { filter: ["country", "US"] });
      await number.locator("[data-testid=widget-foot], .widget-foot", { hasText: "country = US" }).waitFor();
      const usOnly = Number(await number.locator("[data-testid=widget-figure]").getAttribute("data-value"));
      expect(usOnly).toBeGreaterThan(0);
      expect(usOnly).toBeLessThan(total);
      const api = await server.fetch("/api/v1/query", {
        method: "POST",
        headers: { Authorization: `Bearer ${owner.readKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ metric: "signups", aggregation: "sum", range: "7d", filters: { country: "US" } }),
      });
      expect((await api.json()).value).toBe(usOnly);
      const shown = (await number.locator("[data-testid=widget-figure]").textContent())!.replaceAll(",", "");
      expect(Number(shown)).toBe(usOnly);

      // ── reorder by drag: the table to the front; the order survives a reload ──
      expect(await titles(page)).toEqual(["Signups per day", "Signups this week", "Signups by plan"]);
      const saved = page.waitForResponse((r) => r.url().endsWith("/widgets/order") && r.status() === 204);
      await table.locator(".drag-handle").dragTo(line);
      await saved;
      expect(await titles(page)).toEqual(["Signups by plan", "Signups per day", "Signups this week"]);
      // …and by keyboard: "Move later" on the first card.
      const savedAgain = page.waitForResponse((r) => r.url().endsWith("/widgets/order") && r.status() === 204);
      await menu(slot(page, "Signups by plan"), "Move later");
      await savedAgain;
      expect(await titles(page)).toEqual(["Signups per day", "Signups by plan", "Signups this week"]);
      await page.reload();
      expect(await titles(page)).toEqual(["Signups per day", "Signups by plan", "Signups this week"]);

      // ── export CSV from the filtered number widget: its metric, range and filter ──
      await loaded(number);
      const download = page.waitForEvent("download");
      await menu(number, "Export CSV");
      const csv = readFileSync((await (await download).path())!, "utf8").trim().split("\n");
      expect(csv[0]).toMatch(/^timestamp,metric,value/);
      const header = csv[0]!.split(",");
      const country = header.indexOf("country");
      expect(country).toBeGreaterThan(0);
      const rows = csv.slice(1).map((l) => l.split(","));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r[country] === "US")).toBe(true);
      expect(rows.reduce((s, r) => s + Number(r[2]), 0)).toBe(usOnly);

      // ── dashboard-wide range overrides the widgets' own ──
      await page.locator("#range-picker button", { hasText: "30d" }).click();
      await number.locator(".widget-foot", { hasText: "Last 30 days" }).waitFor();
      await slot(page, "Signups by plan").locator(".widget-foot", { hasText: "Last 30 days" }).waitFor();
      await page.locator("#range-picker button", { hasText: "Per widget" }).click();
      await number.locator(".widget-foot", { hasText: "Last 7 days" }).waitFor();

      // ── delete a widget ──
      await menu(slot(page, "Signups by plan"), "Remove");
      await slot(page, "Signups by plan").waitFor({ state: "detached" });
      await page.reload();
      expect(await titles(page)).toEqual(["Signups per day", "Signups this week"]);

      // ── rename inline ──
      await page.click("[data-testid=dashboard-title]");
      await page.fill("#dashboard-name", "Growth 2026");
      await page.keyboard.press("Enter");
      await page.locator("[data-testid=dashboard-title]", { hasText: "Growth 2026" }).waitFor();
      await page.reload();
      expect((await page.locator("[data-testid=dashboard-title]").textContent())!).toContain("Growth 2026");
      await chartPoints(slot(page, "Signups per day"));
      await loaded(number);
      await screenshot(page, "dashboards-03-renamed-1280");

      // ── delete the dashboard (with confirmation) ──
      await page.click("[data-testid=delete-dashboard] summary");
      await page.locator("[data-testid=delete-dashboard] .confirm-panel button").click();
      await page.waitForURL(`${server.url}/products/${owner.product.id}`);
      expect(await page.locator("[data-testid=dashboard-list]").count()).toBe(0);
      expect((await server.fetch(new URL(dashboardUrl).pathname, { headers: { Cookie: owner.cookie } })).status).toBe(404);
      expect(errors).toEqual([]);
    },
    120_000,
  );

  test(
    "empty widget, dark mode and a 375 px phone",
    async () => {
      const owner = await signedInOwner(server, { name: "Phone Co" });
      await seedSignups(server, owner.product.id, { days: 10 });
      const { page, errors } = await open(owner.user.id, { width: 375, colorScheme: "dark" });
      await page.goto(`${server.url}/products/${owner.product.id}`);
      await page.fill("#new-dashboard-name", "Mobile");
      await page.click("[data-testid=create-dashboard]");
      await page.locator("[data-testid=dashboard-empty]").waitFor();
      await screenshot(page, "dashboards-04-empty-375-dark");
      for (const w of [
        { kind: "Number", title: "Signups", metric: "signups", n: "7", unit: "d" },
        { kind: "Number", title: "Avg signup", metric: "signups", aggregation: "avg", n: "7", unit: "d" },
        { kind: "Line chart", title: "Per day", metric: "signups", granularity: "day", n: "10", unit: "d", groupBy: "plan" },
        { kind: "Line chart", title: "Nothing here", metric: "refunds", granularity: "day", n: "7", unit: "d" },
        { kind: "Table", title: "By country", metric: "signups", granularity: "week", n: "4", unit: "w", groupBy: "country" },
      ]) {
        await page.click("[data-testid=add-widget]");
        await fillWidget(page, w);
        await loaded(slot(page, w.title));
      }
      await chartPoints(slot(page, "Per day"));
      await slot(page, "Nothing here").locator("[data-testid=widget-empty]").waitFor();
      expect(await slot(page, "Nothing here").textContent()).toContain("No data for refunds");
      // Dark tokens are in force (the system preference, no toggle used).
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe("rgb(11, 13, 18)");
      await screenshot(page, "dashboards-05-375-dark");
      // Nothing overflows the phone's width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      // The same dashboard at 1280 in dark mode, and the light theme chosen by the toggle's storage.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.reload();
      await chartPoints(slot(page, "Per day"));
      await screenshot(page, "dashboards-06-1280-dark");
      await page.evaluate(() => localStorage.setItem("litekpi-theme", "light"));
      await page.reload();
      await chartPoints(slot(page, "Per day"));
      expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe("rgb(255, 255, 255)");
      await page.setViewportSize({ width: 375, height: 900 });
      await page.reload();
      await chartPoints(slot(page, "Per day"));
      await screenshot(page, "dashboards-07-375-light");
      expect(errors).toEqual([]);
    },
    90_000,
  );
});
