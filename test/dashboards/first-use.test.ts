import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { createDashboard } from "../../src/dashboards/dashboards";
import { launchBrowser } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "./support";
import { signInBrowser } from "../helpers/sign-in";

/** Issue 13 item 15: what a new user's first product and first widget preselect. */
describe("first use", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the widget form preselects the metric that received data last, not the alphabetically first", async () => {
    const owner = await signedInOwner(server);
    const now = server.deps.clock.now();
    await server.deps.queue.submitPoints(owner.product.id, [{ metric: "zz_recent", value: 1, tsMs: now - 60_000, tags: {} }]);
    await server.deps.queue.submitPoints(owner.product.id, [
      { metric: "aa_old", value: 1, tsMs: now - 20 * 86_400_000, tags: { plan: "pro" } },
      { metric: "mm_older", value: 1, tsMs: now - 40 * 86_400_000, tags: {} },
    ]);
    const d = createDashboard(server.deps.db, owner.product.id, { name: "First" }, now);
    const html = await (await server.fetch(`/products/${owner.product.id}/dashboards/${d.id}/widgets/new`, { headers: { Cookie: owner.cookie, "HX-Request": "true" } })).text();
    const metric = /<input[^>]*id="wf-metric"[^>]*>/.exec(html)![0];
    expect(metric).toContain('value="zz_recent"');
  });

  for (const [browserZone, listed] of [
    ["Asia/Kolkata", "Asia/Kolkata"], // Chromium reports it as Asia/Calcutta, which the list does not have
    ["Europe/Kyiv", "Europe/Kyiv"], // reported as Europe/Kiev
    ["America/New_York", "America/New_York"],
  ] as const) {
    test(`a new product preselects the browser's zone (${browserZone})`, async () => {
      const owner = await signedInOwner(server);
      const context = await browser.newContext({ timezoneId: browserZone });
      try {
        await signInBrowser(context, server, owner.user.id);
        const page = await context.newPage();
        await page.goto(`${server.url}/products/new`);
        await page.waitForFunction(() => (window as unknown as { Alpine?: unknown }).Alpine !== undefined);
        await page.waitForFunction((want) => (document.querySelector("#product-timezone") as HTMLSelectElement).value === want, listed, { timeout: 5000 }).catch(() => {});
        expect(await page.locator("#product-timezone").inputValue()).toBe(listed);
      } finally {
        await context.close();
      }
    }, 30_000);
  }
});
