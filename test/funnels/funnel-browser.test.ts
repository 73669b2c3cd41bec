import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { signInBrowser } from "../helpers/sign-in";
import { ARTIFACTS, launchBrowser, screenshot } from "../helpers/browser";
import { createDashboard, getDashboard } from "../../src/dashboards/dashboards";
import { listWidgets } from "../../src/dashboards/widgets";
import { buildReportContent } from "../../src/reports/report-content";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { post } from "../ingest/ingest-helpers";

/**
 * In Chromium: a goal and a funnel defined through the forms, the funnel page showing the API's
 * numbers; then the funnel picked in the widget form of a dashboard, whose card and report PNG
 * say the API's numbers for the widget's range.
 */
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

      // The funnel on a dashboard, picked from the widget form's list of saved funnels.
      const dashboard = createDashboard(server.deps.db, p.product.id, { name: `Growth ${width}` }, Date.now());
      await page.goto(`${server.url}/products/${p.product.id}/dashboards/${dashboard.id}`);
      await page.click('[data-testid="add-widget"]');
      await page.waitForSelector('[data-testid="widget-form"]');
      await page.click('.kind-option:has(input[value="funnel"])');
      // Picking the kind swaps metric and filters for the picker (CSS only, no script).
      expect(await page.isVisible("#wf-metric")).toBe(false);
      await page.selectOption('[data-testid="funnel-picker"]', { label: `Onboarding ${width}` });
      await screenshot(page, `funnel-widget-form-${width}-${scheme}`);
      await page.click('[data-testid="widget-form"] button[type="submit"]');
      await page.waitForSelector('[data-testid="widget"] [data-testid="funnel-chart"]');
      const card = (await page.locator('[data-testid="widget"] [data-testid="funnel-visitors"]').allTextContents()).map((t) => Number(t.replace(/\D/g, "")));
      const widget = listWidgets(server.deps.db, p.product.id, dashboard.id)[0]!;
      const ranged = await server.fetch("/api/v1/insights/funnel", {
        method: "POST",
        headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" },
        body: JSON.stringify({ steps: [{ goal: goalName }, { event: "created_project" }, { event: "invited_teammate" }], by: "user", date_range: "30d" }),
      });
      const widgetAnswer = (await ranged.json()).steps.map((s: { visitors: number }) => s.visitors);
      expect(card).toEqual(widgetAnswer);
      await screenshot(page, `funnel-widget-${width}-${scheme}`);
      // The report's PNG of the same widget says the same numbers (its alt text is drawn from the same data).
      const content = await buildReportContent(server.deps, p.product, getDashboard(server.deps.db, p.product.id, dashboard.id), Date.now());
      const snap = content.widgets.find((x: { id: string }) => x.id === widget.id)!;
      expect(snap.alt).toContain(`${goalName} ${widgetAnswer[0]} (100%)`);
      expect(snap.alt).toContain(`created_project ${widgetAnswer[1]} (`);
      expect(snap.alt).toContain(`invited_teammate ${widgetAnswer[2]} (`);
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `funnel-widget-report-${width}.png`), snap.snapshot.png);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
