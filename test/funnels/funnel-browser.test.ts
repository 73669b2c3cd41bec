import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { signInBrowser } from "../helpers/sign-in";
import { launchBrowser, screenshot } from "../helpers/browser";
import { post } from "../ingest/ingest-helpers";

/** In Chromium: a goal and a funnel defined through the forms, the funnel page showing the API's numbers. */
describe("goals and funnels in the browser", () => {
  let server: TestServer;
  let browser: Browser;
  let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
  const now = Date.now();

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    p = await makeProductWithKeys(server.deps, { name: "Acme" });
    const events = [];
    for (let i = 0; i < 20; i++) {
      const t = now - 3 * 86_400_000 + i * 60_000;
      events.push({ event: "signup", timestamp: new Date(t).toISOString(), properties: { plan: i % 2 ? "pro" : "free" }, context: { user_id: `u${i}` } });
      if (i % 3) events.push({ event: "created_project", timestamp: new Date(t + 120_000).toISOString(), context: { user_id: `u${i}` } });
      if (i % 3 === 1) events.push({ event: "invited_teammate", timestamp: new Date(t + 3_600_000).toISOString(), context: { user_id: `u${i}` } });
    }
    expect((await post(server, "/api/v1/events", JSON.stringify(events), { key: p.ingestKey })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [width, scheme] of [[1280, "light"], [320, "dark"]] as const) {
    test(`define a goal and a funnel at ${width} px (${scheme})`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
      await signInBrowser(context, server, p.user.id);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(`${server.url}/products/${p.product.id}/funnels`);
      const goalName = `Signed up ${width}`;
      await page.fill("#goal-name", goalName);
      await page.check('input[name="kind"][value="event"]');
      await page.fill("#goal-value", "signup");
      await page.click('[data-testid="goal-form"] button[type="submit"]');
      await page.waitForSelector(`text=${goalName}`);

      await page.fill("#funnel-name", `Onboarding ${width}`);
      await page.selectOption("#step-kind-1", "goal");
      await page.fill("#step-value-1", goalName);
      await page.fill("#step-value-2", "created_project");
      await page.fill("#step-value-3", "invited_teammate");
      await page.selectOption("#funnel-by", "user");
      await page.click('[data-testid="funnel-form"] button[type="submit"]');
      await page.waitForSelector('[data-testid="funnel-chart"]');
      const shown = (await page.locator('[data-testid="funnel-visitors"]').allTextContents()).map((t) => Number(t.replace(/\D/g, "")));

      const api = await server.fetch("/api/v1/insights/funnel", {
        method: "POST",
        headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ steps: [{ goal: goalName }, { event: "created_project" }, { event: "invited_teammate" }], by: "user", date_range: "30d" }),
      });
      const answer = await api.json();
      expect(shown).toEqual(answer.steps.map((s: { visitors: number }) => s.visitors));
      expect(shown).toEqual([20, 13, 7]);
      await screenshot(page, `funnel-${width}-${scheme}`);
      await page.goto(`${server.url}/products/${p.product.id}/funnels`);
      await screenshot(page, `funnels-page-${width}-${scheme}`);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
