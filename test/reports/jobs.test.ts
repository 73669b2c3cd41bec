import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { startTestServer, tempDir, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { reportDeliveries, reports } from "../../src/db/schema";
import { createReport, deleteReport, getReport, setReportPaused, type ReportWithRecipients } from "../../src/reports/reports";
import { claimDueRuns } from "../../src/reports/jobs";
import { updateProduct } from "../../src/products/products";
import { startFlakySmtp, type FlakySmtp } from "./flaky-smtp";
import { seedReportDashboard, DAY } from "./setup";

/**
 * The report job with a fixed clock against a real SMTP server: due runs are sent once, runs
 * missed while the server was down are sent (< 15 min) or recorded as skipped, failed sends are
 * retried at 1, 5 and 15 minutes then recorded failed, deleted schedules and unsubscribed
 * recipients get nothing, and a send interrupted by a crash resumes without doubling anyone.
 */
const MIN = 60_000;
const T0 = Date.parse("2026-03-10T07:00:00Z"); // 08:00 in Berlin; the daily run is at 09:00 Berlin = 08:00Z
const RUN = Date.parse("2026-03-10T08:00:00Z");
const addressesOf = (m: { to?: { text: string } | { text: string }[] }) => [m.to ?? []].flat().map((a) => a.text).join(", ");
const daily = { frequency: "daily" as const, weekday: null, monthDay: null, timeOfDay: "09:00" };

describe("report job", () => {
  let smtp: FlakySmtp;
  let server: TestServer;
  let clock: ReturnType<typeof fixedClock>;
  let seed: Awaited<ReturnType<typeof seedReportDashboard>>;
  let report: ReportWithRecipients;

  beforeAll(async () => {
    smtp = await startFlakySmtp();
    clock = fixedClock(T0);
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock });
    seed = await seedReportDashboard(server);
  }, 30_000);
  afterAll(async () => {
    await server.stop();
    await smtp.stop();
  });
  afterEach(() => {
    smtp.refuse.clear();
    smtp.messages.length = 0;
    clock.set(T0);
  });

  const newReport = (recipients = ["ann@example.com", "ben@example.com"]) => {
    clock.set(T0);
    return createReport(server.deps.db, seed.product, seed.dashboard.id, { ...daily, recipients }, seed.user.id, T0);
  };
  const tick = async (at: number) => {
    clock.set(at);
    await server.deps.scheduler.runJobNow("reports.run");
  };
  const deliveries = (reportId: string) =>
    server.deps.db.select().from(reportDeliveries).where(eq(reportDeliveries.reportId, reportId)).orderBy(reportDeliveries.scheduledFor).all();
  const mailsTo = (email: string) => smtp.messages.filter((m) => addressesOf(m).includes(email));

  test("moving the product to another time zone moves its reports' next run to 09:00 in the new zone", () => {
    const moved = newReport(["zone@example.com"]);
    expect(moved.nextRunAt).toBe(RUN); // 09:00 Berlin
    const product = updateProduct(server.deps.db, seed.product.id, { name: seed.product.name, timezone: "America/New_York" }, T0);
    expect(getReport(server.deps.db, seed.product.id, seed.dashboard.id, moved.id).nextRunAt).toBe(Date.parse("2026-03-10T13:00:00Z")); // 09:00 EDT
    updateProduct(server.deps.db, seed.product.id, { name: product.name, timezone: seed.product.timezone }, T0);
    expect(getReport(server.deps.db, seed.product.id, seed.dashboard.id, moved.id).nextRunAt).toBe(RUN);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, moved.id);
  });

  test("a due run is sent to every recipient once; later ticks and a stale watermark never send it again", async () => {
    report = newReport();
    expect(report.nextRunAt).toBe(RUN);
    await tick(RUN + 20_000);
    expect(mailsTo("ann@example.com")).toHaveLength(1);
    expect(mailsTo("ben@example.com")).toHaveLength(1);
    expect(smtp.messages[0]!.subject).toBe("Weekly overview · Acme Cloud — 10 Mar 2026");
    await tick(RUN + 80_000);
    // A watermark set back (a restored backup, a crash between send and bookkeeping): the run's row exists already.
    server.deps.db.update(reports).set({ nextRunAt: RUN }).where(eq(reports.id, report.id)).run();
    await tick(RUN + 140_000);
    expect(smtp.messages).toHaveLength(2);
    const rows = deliveries(report.id);
    expect(rows.map((d) => [d.scheduledFor, d.status, JSON.parse(d.recipients!)])).toEqual([[RUN, "sent", ["ann@example.com", "ben@example.com"]]]);
    expect(getReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id).nextRunAt).toBe(RUN + DAY);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id);
  }, 60_000);

  test("a failed send is retried 1, 5 and 15 minutes later, then recorded as failed with the error", async () => {
    report = newReport(["ann@example.com"]);
    smtp.refuse.add("*");
    await tick(RUN);
    const attempts: [number, string, number | null][] = [];
    const last = () => deliveries(report.id)[0]!;
    attempts.push([last().attempts, last().status, last().nextAttemptAt]);
    await tick(RUN + 30_000); // not due yet: nothing happens
    expect(last().attempts).toBe(1);
    for (const at of [RUN + MIN, RUN + 6 * MIN, RUN + 21 * MIN]) {
      await tick(at);
      attempts.push([last().attempts, last().status, last().nextAttemptAt]);
    }
    expect(attempts).toEqual([
      [1, "retrying", RUN + MIN],
      [2, "retrying", RUN + 6 * MIN],
      [3, "retrying", RUN + 21 * MIN],
      [4, "failed", null],
    ]);
    expect(last().error).toContain("ann@example.com");
    expect(last().error).toContain("550");
    smtp.refuse.clear();
    await tick(RUN + 2 * 60 * MIN);
    expect(last().status).toBe("failed");
    expect(smtp.messages).toHaveLength(0);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id);
  }, 60_000);

  test("a retry goes only to the recipients that failed: nobody gets the run twice", async () => {
    report = newReport();
    smtp.refuse.add("ben@example.com");
    await tick(RUN);
    expect(deliveries(report.id)[0]!.status).toBe("retrying");
    expect(mailsTo("ann@example.com")).toHaveLength(1);
    smtp.refuse.clear();
    await tick(RUN + MIN);
    expect(deliveries(report.id)[0]!.status).toBe("sent");
    expect(mailsTo("ann@example.com")).toHaveLength(1);
    expect(mailsTo("ben@example.com")).toHaveLength(1);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id);
  }, 60_000);

  test("a send interrupted by a crash is taken over after the lease, without mailing anyone twice", async () => {
    report = newReport();
    // The claim committed and Ann's mail went out, then the process died.
    const [id] = claimDueRuns(server.deps, report.id, RUN);
    server.deps.db.update(reportDeliveries).set({ attempts: 1, recipients: JSON.stringify(["ann@example.com"]), updatedAt: RUN }).where(eq(reportDeliveries.id, id!)).run();
    await tick(RUN + 5 * MIN); // still inside the lease: another process may be sending it
    expect(smtp.messages).toHaveLength(0);
    await tick(RUN + 11 * MIN);
    expect(mailsTo("ben@example.com")).toHaveLength(1);
    expect(mailsTo("ann@example.com")).toHaveLength(0);
    expect(deliveries(report.id).map((d) => d.status)).toEqual(["sent"]);
    // A test send cut off the same way is marked failed, not sent again minutes later.
    server.deps.db
      .insert(reportDeliveries)
      .values({ id: "crashed-test", reportId: report.id, productId: seed.product.id, scheduledFor: RUN, isTest: 1, status: "pending", attempts: 1, createdAt: RUN, updatedAt: RUN })
      .run();
    smtp.messages.length = 0;
    await tick(RUN + 12 * MIN);
    expect(smtp.messages).toHaveLength(0);
    expect(deliveries(report.id).find((d) => d.isTest)!.status).toBe("failed");
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id);
  }, 60_000);

  test("deleting a schedule stops its job; pausing one stops it and resuming does not catch up", async () => {
    const gone = newReport();
    const paused = newReport(["pat@example.com"]);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, gone.id);
    setReportPaused(server.deps.db, seed.product, seed.dashboard.id, paused.id, true, T0);
    await tick(RUN + MIN);
    await tick(RUN + DAY + MIN);
    expect(smtp.messages).toHaveLength(0);
    expect(deliveries(gone.id)).toHaveLength(0);
    expect(deliveries(paused.id)).toHaveLength(0);
    const resumed = setReportPaused(server.deps.db, seed.product, seed.dashboard.id, paused.id, false, RUN + DAY + 2 * MIN);
    expect(resumed.nextRunAt).toBe(RUN + 2 * DAY);
    await tick(RUN + DAY + 3 * MIN);
    expect(smtp.messages).toHaveLength(0);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, paused.id);
  }, 60_000);

  test("an unsubscribed recipient receives nothing; the others still do; the link can undo it", async () => {
    report = newReport();
    await tick(RUN);
    const link = /http\S+\/reports\/unsubscribe\?\S+/.exec(mailsTo("ben@example.com")[0]!.text!)![0];
    // Opening the link (what a mail scanner does) changes nothing: it shows one button.
    const page = await fetch(link);
    expect(page.status).toBe(200);
    const confirm = await page.text();
    expect(confirm).toContain("Unsubscribe from this report?");
    expect(confirm).toContain('data-testid="unsubscribe"');
    expect(getReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id).recipients.every((r) => r.pausedAt === null)).toBe(true);
    // The button posts to the link itself, from our own page.
    const action = /<form method="post" action="([^"]+)"/.exec(confirm)![1]!.replaceAll("&amp;", "&");
    expect(action).toBe(new URL(link).pathname + new URL(link).search);
    const done = await fetch(server.url + action, { method: "POST", headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" }, body: "" });
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).toContain("You are unsubscribed");
    expect(html).toContain("ben@example.com");
    // A tampered signature, or another recipient's id with this signature, does nothing.
    const annId = getReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id).recipients.find((r) => r.email === "ann@example.com")!.id;
    const forged = link.replace(/r=[^&]+/, `r=${annId}`);
    expect((await fetch(forged)).status).toBe(404);
    smtp.messages.length = 0;
    await tick(RUN + DAY);
    expect(mailsTo("ann@example.com")).toHaveLength(1);
    expect(mailsTo("ben@example.com")).toHaveLength(0);
    const recipients = getReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id).recipients;
    expect(recipients.map((r) => [r.email, r.pausedAt !== null])).toEqual([
      ["ann@example.com", false],
      ["ben@example.com", true],
    ]);
    // The mail client's own button: RFC 8058 one-click POST to the List-Unsubscribe URL.
    const annMail = mailsTo("ann@example.com")[0]!;
    // mailparser groups List-* headers: { unsubscribe: { url }, "unsubscribe-post": { name } }.
    const list = annMail.headers.get("list") as unknown as { unsubscribe: { url: string }; "unsubscribe-post": { name: string } };
    expect(list["unsubscribe-post"].name).toBe("List-Unsubscribe=One-Click");
    const oneClick = list.unsubscribe.url;
    expect(oneClick).toContain(`r=${annId}`);
    const posted = await fetch(oneClick, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(posted.status).toBe(200);
    expect(getReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id).recipients.every((r) => r.pausedAt !== null)).toBe(true);
    await fetch(`${server.url}/reports/resubscribe`, { method: "POST", body: new URLSearchParams({ r: annId, s: new URL(oneClick).searchParams.get("s")! }) });
    // "Subscribe again" on the confirmation page.
    const params = new URL(link).searchParams;
    const again = await fetch(`${server.url}/reports/resubscribe`, { method: "POST", body: new URLSearchParams({ r: params.get("r")!, s: params.get("s")! }) });
    expect(await again.text()).toContain("You are subscribed again");
    await tick(RUN + 2 * DAY);
    expect(mailsTo("ben@example.com")).toHaveLength(1);
    deleteReport(server.deps.db, seed.product.id, seed.dashboard.id, report.id);
  }, 60_000);
});

describe("runs missed while the server was down", () => {
  test("< 15 min late is sent at start, older runs are recorded as skipped with the reason, none twice", async () => {
    const smtp = await startFlakySmtp();
    const dir = tempDir();
    const clock = fixedClock(T0);
    let server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock, dataDir: dir.path });
    try {
      const seed = await seedReportDashboard(server);
      const report = createReport(server.deps.db, seed.product, seed.dashboard.id, { ...daily, recipients: ["ann@example.com"] }, seed.user.id, T0);
      await server.stop();
      // Down for three days; back 10 minutes after the fourth day's run.
      clock.set(RUN + 3 * DAY + 10 * MIN);
      server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock, dataDir: dir.path });
      await server.deps.scheduler.runJobNow("reports.run");
      const rows = () =>
        server.deps.db.select().from(reportDeliveries).where(eq(reportDeliveries.reportId, report.id)).orderBy(reportDeliveries.scheduledFor).all();
      expect(rows().map((d) => [d.scheduledFor, d.status])).toEqual([
        [RUN, "skipped"],
        [RUN + DAY, "skipped"],
        [RUN + 2 * DAY, "skipped"],
        [RUN + 3 * DAY, "sent"],
      ]);
      expect(rows()[0]!.error).toStartWith("Missed by 3 days (the server was not running at 2026-03-10 09:00)");
      expect(rows()[2]!.error).toStartWith("Missed by 24 h 10 min");
      expect(smtp.messages).toHaveLength(1);
      // The data is as of the run's scheduled instant, whatever time it went out.
      expect(smtp.messages[0]!.text).toContain("as of 13 Mar 2026, 09:00 (Europe/Berlin)");
      // Another restart at 15 minutes late: nothing new.
      await server.stop();
      clock.set(RUN + 3 * DAY + 15 * MIN);
      server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock, dataDir: dir.path });
      await server.deps.scheduler.runJobNow("reports.run");
      expect(rows()).toHaveLength(4);
      expect(smtp.messages).toHaveLength(1);
      // Exactly 15 minutes late is too late.
      clock.set(RUN + 4 * DAY + 15 * MIN);
      await server.deps.scheduler.runJobNow("reports.run");
      expect(rows().map((d) => d.status)).toEqual(["skipped", "skipped", "skipped", "sent", "skipped"]);
    } finally {
      await server.stop();
      dir.remove();
      await smtp.stop();
    }
  }, 90_000);
});
