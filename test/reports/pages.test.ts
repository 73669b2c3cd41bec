import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { fixedClock } from "../../src/lib/clock";
import { createDashboard } from "../../src/dashboards/dashboards";
import { createReport, getReport } from "../../src/reports/reports";
import { signIn, type Client } from "../helpers/sign-in";

/**
 * The reports pages as scenario tables: who sees what (members yes, other tenants 404, anonymous
 * sent to sign in), the partials htmx asks for, and the form's answers (422 with the field's
 * message, values kept). Mail-free: sending is covered in send-test and jobs.
 */
const NOW = Date.parse("2026-05-04T10:00:00Z");

describe("reports pages", () => {
  let server: TestServer;
  let a: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let b: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let asA: Client;
  let asB: Client;
  let base: string;
  let reportId: string;
  let otherDashboard: string;

  beforeAll(async () => {
    server = await startTestServer({ clock: fixedClock(NOW) });
    a = await makeProductWithKeys(server.deps, { timezone: "America/New_York", name: "Alpha" });
    b = await makeProductWithKeys(server.deps, { name: "Beta" });
    asA = signIn(server, a.user.id);
    asB = signIn(server, b.user.id);
    const dashboard = createDashboard(server.deps.db, a.product.id, { name: "Growth" }, NOW);
    otherDashboard = createDashboard(server.deps.db, a.product.id, { name: "Other" }, NOW).id;
    base = `/products/${a.product.id}/dashboards/${dashboard.id}/reports`;
    const report = createReport(server.deps.db, a.product, dashboard.id, { frequency: "weekly", weekday: 1, monthDay: null, timeOfDay: "09:00", recipients: ["x@alpha.test"] }, a.user.id, NOW);
    reportId = report.id;
  });
  afterAll(() => server.stop());

  type Scenario = { name: string; as: "a" | "b" | "anon"; method?: "GET" | "POST"; url: () => string; body?: Record<string, string>; htmx?: boolean; status: number; contains?: string[]; notContains?: string[] };
  const scenarios: Scenario[] = [
    { name: "the page lists the schedule in the product's zone", as: "a", url: () => base, status: 200, contains: ["Email reports", "Every Monday at 09:00", "Next: Mon 4 May 2026, 09:00 (America/New York)", "x@alpha.test", "No deliveries yet"] },
    { name: "the section partial for htmx", as: "a", url: () => base, htmx: true, status: 200, contains: ['id="reports"'], notContains: ["<html"] },
    { name: "the new-report form partial", as: "a", url: () => `${base}/new`, htmx: true, status: 200, contains: ["New email report", 'value="weekly" checked'] },
    { name: "the new-report form as a page without htmx", as: "a", url: () => `${base}/new`, status: 200, contains: ["<html", "New email report"] },
    { name: "a card partial", as: "a", url: () => `${base}/${reportId}`, htmx: true, status: 200, contains: ['data-testid="report-card"', "Every Monday at 09:00"] },
    { name: "the edit form is filled in", as: "a", url: () => `${base}/${reportId}/edit`, htmx: true, status: 200, contains: ["Edit schedule", "x@alpha.test", 'value="09:00"'] },
    { name: "another tenant: the page is 404", as: "b", url: () => base, status: 404, notContains: ["x@alpha.test"] },
    { name: "another tenant: a card is 404", as: "b", url: () => `${base}/${reportId}`, htmx: true, status: 404, notContains: ["x@alpha.test"] },
    { name: "another tenant cannot send a test", as: "b", method: "POST", url: () => `${base}/${reportId}/test`, status: 404 },
    { name: "another tenant cannot delete", as: "b", method: "POST", url: () => `${base}/${reportId}/delete`, status: 404 },
    { name: "a report under another dashboard's URL is 404", as: "a", url: () => `/products/${a.product.id}/dashboards/${otherDashboard}/reports/${reportId}`, htmx: true, status: 404 },
    { name: "anonymous: sent to sign in", as: "anon", url: () => base, status: 302 },
    { name: "time of day must be HH:MM", as: "a", method: "POST", url: () => base, htmx: true, body: { frequency: "daily", time_of_day: "25:00", recipients: "ok@alpha.test" }, status: 422, contains: ["Enter a time of day as HH:MM", "ok@alpha.test"] },
    { name: "monthly needs a day", as: "a", method: "POST", url: () => base, htmx: true, body: { frequency: "monthly", month_day: "", time_of_day: "07:00", recipients: "ok@alpha.test" }, status: 422, contains: ["Pick a day of the month"] },
    { name: "at least one recipient", as: "a", method: "POST", url: () => base, htmx: true, body: { frequency: "daily", time_of_day: "07:00", recipients: "  " }, status: 422, contains: ["Add at least one recipient"] },
    { name: "unsubscribe with a bad signature changes nothing", as: "anon", url: () => `/reports/unsubscribe?r=${getReport(server.deps.db, a.product.id, base.split("/")[4]!, reportId).recipients[0]!.id}&s=forged`, status: 404, contains: ["This link does not work"] },
  ];

  for (const s of scenarios) {
    test(s.name, async () => {
      const headers: Record<string, string> = s.htmx ? { "HX-Request": "true" } : {};
      const client = s.as === "a" ? asA : s.as === "b" ? asB : null;
      const res =
        s.method === "POST"
          ? client
            ? await client.post(s.url(), s.body ?? {}, headers)
            : await server.fetch(s.url(), { method: "POST", headers, body: new URLSearchParams(s.body ?? {}) })
          : client
            ? await client.get(s.url(), headers)
            : await server.fetch(s.url(), { headers });
      expect(res.status).toBe(s.status);
      const html = await res.text();
      for (const c of s.contains ?? []) expect(html).toContain(c.replaceAll("'", "&#39;"));
      for (const c of s.notContains ?? []) expect(html).not.toContain(c);
    });
  }

  test("create with htmx answers the whole section in place of the form; pause, resume, save and delete answer the card or section", async () => {
    const created = await asA.post(base, { frequency: "monthly", month_day: "31", time_of_day: "23:30", recipients: "a@alpha.test, b@alpha.test" }, { "HX-Request": "true" });
    expect(created.status).toBe(200);
    expect(created.headers.get("HX-Retarget")).toBe("#reports");
    expect(await created.text()).toContain("Monthly on the 31st (or the month&#39;s last day) at 23:30");
    const paused = await asA.post(`${base}/${reportId}/pause`, {}, { "HX-Request": "true" });
    expect(await paused.text()).toContain("Paused — resume to schedule the next run");
    const resumed = await asA.post(`${base}/${reportId}/resume`, {}, { "HX-Request": "true" });
    expect(await resumed.text()).toContain("Next: Mon 4 May 2026, 09:00");
    const saved = await asA.post(`${base}/${reportId}`, { frequency: "daily", time_of_day: "05:15", recipients: "x@alpha.test\nnew@alpha.test" }, { "HX-Request": "true" });
    const card = await saved.text();
    expect(card).toContain("Every day at 05:15");
    expect(card).toContain("Next: Tue 5 May 2026, 05:15");
    expect(card).toContain("new@alpha.test");
    const gone = await asA.post(`${base}/${reportId}/delete`, {}, { "HX-Request": "true" });
    expect(gone.headers.get("HX-Retarget")).toBe("#reports");
    expect(await gone.text()).not.toContain(`report-${reportId}`);
    // Without htmx every action is a plain form post that comes back to the page.
    const plain = await asA.post(base, { frequency: "daily", time_of_day: "06:00", recipients: "c@alpha.test" });
    expect(plain.status).toBe(303);
    expect(plain.headers.get("Location")).toStartWith(`${base}#report-`); // the new report's card
  });
});
