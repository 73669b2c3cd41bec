import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { signInBrowser } from "../helpers/sign-in";
import { MIN, HOUR, startBed, type Bed } from "./support";

/**
 * In headless Chromium, under the strict CSP: the rule form shows only the chosen condition's
 * fields (CSS, no script), the backtest preview answers as the form is filled in, saving opens
 * the rule's page, and the bell in the header counts the in-app notifications. No console errors.
 */
let bed: Bed;
let browser: Browser;
beforeAll(async () => {
  // The clock stands at now, so the browser's view of time and the server's agree.
  bed = await startBed({ start: Math.floor(Date.now() / MIN) * MIN });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bed?.stop();
});

test("make an alert with its backtest, see it fire in the bell", async () => {
  const now = bed.clock.now();
  // A burst 3 days ago (the backtest sees it) and one two minutes from now (the job will).
  const burst = (start: number) => Array.from({ length: 30 }, (_, i) => ({ metric: "signups", value: 5, at: start + i * MIN + 1000 }));
  await bed.ingest([...burst(now - 3 * 24 * HOUR), ...burst(now + MIN)]);
  const context = await browser.newContext({ viewport: { width: 1180, height: 1000 } });
  await signInBrowser(context, bed.server, bed.owner.user.id);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  try {
    await page.goto(`${bed.server.url}/products/${bed.owner.product.id}/alerts`);
    await page.getByTestId("new-alert").click();
    await page.getByLabel("Name", { exact: true }).fill("Signup burst");
    expect(await page.locator(".params-threshold").isVisible()).toBe(true);
    expect(await page.locator(".params-rolling_mean").first().isVisible()).toBe(false);
    await page.getByLabel("Condition").selectOption("rolling_mean");
    expect(await page.locator(".params-rolling_mean").first().isVisible()).toBe(true);
    expect(await page.locator(".params-threshold").isVisible()).toBe(false);
    await page.getByLabel("Condition").selectOption("threshold");
    await page.getByLabel("Metric", { exact: true }).fill("signups");
    await page.getByLabel("Window", { exact: true }).fill("10m");
    await page.getByLabel("Threshold", { exact: true }).fill("40");
    await page.getByLabel("Metric", { exact: true }).press("Tab");
    await page.getByTestId("backtest-count").filter({ hasText: "1" }).waitFor({ timeout: 10_000 });
    await screenshot(page, "alerts-form");
    await page.getByTestId("save-alert").click();
    await page.waitForURL(/\/alerts\/\w+$/);
    expect(await page.locator("h1").textContent()).toBe("Signup burst");
    await bed.stepTo(now + 45 * MIN);
    await page.reload();
    expect(await page.getByTestId("bell-count").textContent()).toBe("2");
    await page.getByTestId("bell").click();
    await page.waitForURL(/\/notifications$/);
    expect(await page.getByTestId("inbox").locator("li").count()).toBe(2);
    await screenshot(page, "alerts-notifications");
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);
