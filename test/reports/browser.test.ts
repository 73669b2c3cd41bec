import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { createSession, SESSION_COOKIE } from "../../src/auth/session";
import { seedReportDashboard } from "./setup";

/**
 * In headless Chromium: from the dashboard's "Email reports" button, create a schedule (a bad
 * address is named beside the field), send a test (it arrives; the log says sent), edit it to
 * monthly, pause it, follow an unsubscribe link, delete it. No console errors (strict CSP).
 */
describe("email reports in a browser", () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let browser: Browser;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  test("create → bad address → test send → edit → pause → unsubscribe → delete", async () => {
    const seed = await seedReportDashboard(server, { email: "founder@browser.test" });
    const context = await browser.newContext({ viewport: { width: 1180, height: 900 } });
    const { token } = createSession(server.deps.db, seed.user.id, server.deps.clock.now());
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url, httpOnly: true, sameSite: "Lax" }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // A 422 is how a form with a bad value comes back (the browser logs it); anything else is a fault.
    page.on("console", (m) => m.type() === "error" && !m.text().includes("status of 422") && errors.push(m.text()));
    try {
      await page.goto(`${server.url}/products/${seed.product.id}/dashboards/${seed.dashboard.id}`);
      await page.click("a:has-text('Email reports')");
      await page.waitForSelector("[data-testid=reports-empty]");
      await screenshot(page, "reports-01-empty");

      await page.click("[data-testid=new-report]");
      await page.waitForSelector("[data-testid=report-form]");
      // Weekly is preselected: the weekday shows, the month day does not.
      expect(await page.isVisible("select[name=weekday]")).toBe(true);
      expect(await page.isVisible("select[name=month_day]")).toBe(false);
      await page.selectOption("select[name=weekday]", "5");
      await page.fill("input[name=time_of_day]", "08:30");
      await page.fill("[data-testid=report-recipients]", "founder@browser.test\nteam@browser");
      await page.click("[data-testid=save-report]");
      await page.waitForSelector("text=\"team@browser\" is not a valid email address");
      expect(await page.getAttribute("[data-testid=report-recipients]", "aria-invalid")).toBe("true");
      await screenshot(page, "reports-02-bad-address");

      await page.fill("[data-testid=report-recipients]", "founder@browser.test\nteam@browser.test");
      await page.click("[data-testid=save-report]");
      await page.waitForSelector("[data-testid=report-card]");
      expect(await page.textContent(".report-schedule")).toBe("Every Friday at 08:30");
      expect(await page.isVisible("[data-testid=report-form]")).toBe(false);

      await page.click("[data-testid=send-test]");
      await page.waitForSelector("text=Test sent to founder@browser.test, team@browser.test.");
      await page.waitForSelector("[data-testid=delivery][data-status=sent]");
      await smtp.waitFor((m) => m.subject?.startsWith("[Test] Weekly overview") ?? false, 15_000);
      await screenshot(page, "reports-03-test-sent");

      await page.click("a:has-text('Edit')");
      await page.waitForSelector("[data-testid=report-form]");
      await page.click("label:has-text('Monthly')");
      expect(await page.isVisible("select[name=month_day]")).toBe(true);
      expect(await page.isVisible("select[name=weekday]")).toBe(false);
      await page.selectOption("select[name=month_day]", "31");
      await screenshot(page, "reports-04-edit-monthly");
      await page.click("[data-testid=save-report]");
      await page.waitForSelector("text=Monthly on the 31st (or the month's last day) at 08:30");

      await page.click("[data-testid=pause-report]");
      await page.waitForSelector("[data-testid=report-state]:has-text('Paused')");
      expect(await page.textContent("[data-testid=report-next]")).toContain("Paused");
      await page.click("[data-testid=resume-report]");
      await page.waitForSelector("[data-testid=report-state]:has-text('Active')");

      // The teammate unsubscribes from their mail (no login in this browser context).
      const mail = await smtp.waitFor((m) => [m.to ?? []].flat().some((a) => a.text.includes("team@browser.test")));
      const link = /http\S+\/reports\/unsubscribe\?\S+/.exec(mail.text!)![0];
      const anonymous = await browser.newContext({ viewport: { width: 800, height: 600 } });
      const other = await anonymous.newPage();
      await other.goto(link);
      await other.waitForSelector("text=Unsubscribe from this report?"); // opening the link alone changes nothing
      await other.click("[data-testid=unsubscribe]");
      await other.waitForSelector("text=You are unsubscribed");
      await screenshot(other, "reports-05-unsubscribed");
      await anonymous.close();
      await page.reload();
      await page.waitForSelector(".recipient.is-unsubscribed:has-text('team@browser.test')");
      await screenshot(page, "reports-06-unsubscribed-in-list");

      await page.click("[data-testid=delete-report] summary");
      await page.click("button:has-text('Delete schedule')");
      await page.waitForSelector("[data-testid=reports-empty]");
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
