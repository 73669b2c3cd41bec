import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { simpleParser } from "mailparser";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { listReports } from "../../src/reports/reports";
import { signIn } from "../helpers/sign-in";
import { seedReportDashboard } from "../reports/setup";

/**
 * Issue 13 item 11: without SMTP_URL a first run must still show what would be mailed, report
 * PNGs included. Every unsent mail is kept whole as an .eml under DATA_DIR/outbox/ (owner-only),
 * and the log line names the file.
 */
describe("the outbox without SMTP keeps whole messages", () => {
  let server: TestServer;
  const logged: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await startTestServer({ clock: fixedClock(Date.parse("2026-03-10T08:00:00Z")) });
    const info = server.deps.log.info;
    server.deps.log.info = (msg, ctx) => {
      if (msg.startsWith("mail")) logged.push(ctx ?? {});
      info(msg, ctx);
    };
  }, 30_000);
  afterAll(() => server.stop());

  test("a report's test send: the .eml has the HTML, the text and one inline PNG per cid: link", async () => {
    const seed = await seedReportDashboard(server, { email: "first-run@acme.test" });
    const client = signIn(server, seed.user.id);
    const base = `/products/${seed.product.id}/dashboards/${seed.dashboard.id}/reports`;
    expect((await client.post(base, { frequency: "weekly", weekday: "1", month_day: "1", time_of_day: "09:00", recipients: "first-run@acme.test" })).status).toBe(303);
    const [report] = listReports(server.deps.db, seed.product.id, seed.dashboard.id);
    const res = await client.post(`${base}/${report!.id}/test`, {}, { "HX-Request": "true" });
    expect(res.status).toBe(200);
    await res.arrayBuffer();

    const line = logged.find((l) => String(l.subject).includes("Weekly overview"))!;
    expect(line).toBeDefined();
    const file = String(line.file);
    expect(file.startsWith(join(server.dataDir, "outbox") + "/")).toBe(true);
    expect(file.endsWith(".eml")).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(server.dataDir, "outbox"))).toContain(file.split("/").pop()!);

    const mail = await simpleParser(readFileSync(file), { keepCidLinks: true }); // mailparser would inline cid: links as data: URLs
    expect(mail.subject).toContain("Weekly overview · Acme Cloud");
    expect(mail.text).toContain("/reports/unsubscribe?");
    const cids = [...(mail.html || "").matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    expect(cids.length).toBe(seed.widgets.length);
    const pngs = mail.attachments.filter((a) => a.contentType === "image/png");
    expect(pngs.map((a) => a.cid).sort()).toEqual([...cids].sort());
    for (const png of pngs) expect([...png.content.subarray(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG");
  }, 60_000);

  test("account mails are kept too, their links readable in the file", async () => {
    const res = await server.fetch("/reset-password", {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: "first-run@acme.test" }).toString(),
    });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    await Bun.sleep(100); // the reset mail is sent in the background (equal timing for every address)
    const line = logged.find((l) => l.subject === "Reset your LiteKPI password")!;
    const mail = await simpleParser(readFileSync(String(line.file)));
    expect(mail.text).toContain(`${server.url}/reset-password/`);
  });
});
