import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedMail } from "mailparser";
import { startTestServer, type TestServer } from "../helpers/server";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { launchBrowser } from "../helpers/browser";
import { fixedClock } from "../../src/lib/clock";
import { listReports } from "../../src/reports/reports";
import { formatNumber, formatBucket, formatPercent } from "../../views/widgets/format";
import { PALETTE } from "../../views/snapshots/tree";
import { signIn, type Client } from "../helpers/sign-in";
import { countPixels, decodePng, near } from "./png";
import { seedReportDashboard } from "./setup";

/**
 * "Send test now" end to end: real data through the ingestion API, the reports page's form, the
 * real SMTP sink. The mail must carry an HTML and a text part, one inline PNG per widget that
 * decodes to its expected size with drawn pixels, and the numbers the query API gives.
 */
const ARTIFACTS = join(import.meta.dir, "../artifacts/reports");
const NOW = Date.parse("2026-03-10T08:00:00Z"); // 09:00 in Berlin

describe("send test now", () => {
  let smtp: SmtpSink;
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedReportDashboard>>;
  let client: Client;
  let base: string;
  let mails: ParsedMail[];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock: fixedClock(NOW) });
    seed = await seedReportDashboard(server, { email: "owner@acme.test" });
    client = signIn(server, seed.user.id);
    base = `/products/${seed.product.id}/dashboards/${seed.dashboard.id}/reports`;
  }, 30_000);
  afterAll(async () => {
    await server.stop();
    await smtp.stop();
  });

  const query = async (body: Record<string, unknown>) => {
    const res = await server.fetch("/api/v1/query", { method: "POST", headers: { Authorization: `Bearer ${seed.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return (await res.json()) as { value?: number; from: string; to: string; series: { tags: Record<string, string>; points: { t: string; v: number | null }[] }[] };
  };

  test("a bad recipient is refused with a message naming it; nothing is created", async () => {
    const res = await client.post(base, { frequency: "weekly", weekday: "1", month_day: "1", time_of_day: "09:00", recipients: "owner@acme.test\nbob@ example" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("These are not valid email addresses: &quot;bob@&quot;, &quot;example&quot;");
    const one = await client.post(base, { frequency: "weekly", weekday: "1", month_day: "1", time_of_day: "09:00", recipients: "owner@acme.test, cto@acme" });
    expect(await one.text()).toContain("&quot;cto@acme&quot; is not a valid email address");
    expect(listReports(server.deps.db, seed.product.id, seed.dashboard.id)).toHaveLength(0);
  });

  test("the test mail reaches every recipient, each with their own unsubscribe link", async () => {
    const created = await client.post(base, { frequency: "weekly", weekday: "1", month_day: "1", time_of_day: "09:00", recipients: "owner@acme.test\nCFO@acme.test" });
    expect(created.status).toBe(303);
    const [report] = listReports(server.deps.db, seed.product.id, seed.dashboard.id);
    expect(report!.recipients.map((r) => r.email)).toEqual(["owner@acme.test", "cfo@acme.test"]);
    const res = await client.post(`${base}/${report!.id}/test`, {}, { "HX-Request": "true" });
    expect(res.status).toBe(200);
    const card = await res.text();
    expect(card).toContain("Test sent to owner@acme.test, cfo@acme.test.");
    expect(card).toContain('data-status="sent"');
    const to = (m: ParsedMail) => [m.to ?? []].flat().map((a) => a.text).join(", ");
    mails = [await smtp.waitFor((m) => to(m).includes("owner@")), await smtp.waitFor((m) => to(m).includes("cfo@"))];
    const links = mails.map((m) => /\/reports\/unsubscribe\?r=([^&\s]+)&s=\S+/.exec(m.text ?? "")?.[0]);
    expect(links[0]).toBeTruthy();
    expect(links[1]).toBeTruthy();
    expect(links[0]).not.toBe(links[1]);
    expect(mails[0]!.subject).toBe("[Test] Weekly overview · Acme Cloud — 10 Mar 2026");
  }, 60_000);

  test("HTML part, text part and one inline PNG per widget, in dashboard order, with alt text and no external assets", () => {
    const mail = mails[0]!;
    expect(mail.html).toBeTruthy();
    expect(mail.text).toBeTruthy();
    const html = String(mail.html);
    const pngs = mail.attachments.filter((a) => a.contentType === "image/png");
    expect(pngs).toHaveLength(seed.widgets.length);
    // mailparser turns each cid: reference into a data: URL of the attachment it names.
    const srcs = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(srcs).toEqual(pngs.map((a) => `data:image/png;base64,${a.content.toString("base64")}`));
    expect(pngs.map((a) => seed.widgets.findIndex((w) => a.cid!.includes(w.id)))).toEqual([0, 1, 2, 3, 4, 5]);
    for (const a of pngs) expect([a.contentDisposition, a.related]).toEqual(["inline", true]);
    for (const w of seed.widgets) expect(html).toContain(`alt="${w.title}:`);
    expect(html).not.toMatch(/(src|href)="(?!data:image\/png;base64,|http:\/\/127\.0\.0\.1)/); // only inline images and links back to this server
    expect(html).not.toMatch(/<link|<script|url\(/i);
    expect(html).toContain(`href="${server.url}/products/${seed.product.id}/dashboards/${seed.dashboard.id}"`);
    expect(html).toContain("Acme Cloud");
    expect(html).toContain("Each widget&#39;s own range · as of 10 Mar 2026, 09:00 (Europe/Berlin)"); // widgets span 7 and 30 days
    expect(mail.text).toContain(`Open the live dashboard: ${server.url}/products/${seed.product.id}/dashboards/${seed.dashboard.id}`);
  });

  test("each PNG decodes, is 2× its card size and has drawn pixels in its chart area", () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const pngs = mails[0]!.attachments.filter((a) => a.contentType === "image/png");
    // Card sizes in CSS px (views/snapshots/widget.ts): numbers 267×156, lines 550×320; the table shows 10 of its 14 rows.
    const expected = [[534, 312], [534, 312], [1100, 640], [1100, 640], [1100, 892], [1100, 640]];
    pngs.forEach((a, i) => {
      writeFileSync(join(ARTIFACTS, `email-${i + 1}-${seed.widgets[i]!.kind}.png`), a.content);
      const png = decodePng(new Uint8Array(a.content));
      expect([png.width, png.height]).toEqual(expected[i]!);
      const body = { x0: 40, x1: png.width - 40, y0: 96, y1: png.height - 88 };
      expect(countPixels(png, body, (r, g, b) => Math.min(r, g, b) < 160)).toBeGreaterThan(300);
    });
    const line = decodePng(new Uint8Array(pngs[2]!.content));
    expect(countPixels(line, { x0: 80, x1: 1080, y0: 90, y1: 560 }, near(PALETTE[0], 24))).toBeGreaterThan(1000);
    const grouped = decodePng(new Uint8Array(pngs[3]!.content));
    for (const c of PALETTE.slice(0, 3)) expect(countPixels(grouped, { x0: 80, x1: 1080, y0: 90, y1: 520 }, near(c, 24))).toBeGreaterThan(300);
    // The widget without data shows its empty state: the message, not a blank or an axis.
    const empty = decodePng(new Uint8Array(pngs[5]!.content));
    expect(countPixels(empty, { x0: 80, x1: 1080, y0: 90, y1: 560 }, near(PALETTE[0], 24))).toBe(0);
    expect(mails[0]!.text).toContain("Trial conversions (Last 30 days)\n  No data in this range.");
  });

  test("the numbers in the email are the query API's", async () => {
    const text = mails[0]!.text!;
    for (const [title, metric] of [["Signups", "signups"], ["Revenue", "revenue"]]) {
      const now = await query({ product: seed.product.id, metric, aggregation: "sum", range: "7d" });
      const span = Date.parse(now.to) - Date.parse(now.from);
      const before = await query({ product: seed.product.id, metric, aggregation: "sum", from: new Date(Date.parse(now.from) - span).toISOString(), to: new Date(Date.parse(now.from)).toISOString() });
      const change = (now.value! - before.value!) / Math.abs(before.value!);
      expect(text).toContain(`${title} (Last 7 days)\n  ${formatNumber(now.value!)} — ${change >= 0 ? "up" : "down"} ${formatPercent(change)} vs previous 7 days (${formatNumber(before.value!)})`);
    }
    const line = await query({ metric: "signups", aggregation: "sum", granularity: "day", range: "30d" });
    const lastWeek = line.series[0]!.points.slice(-7).map((p) => `  ${formatBucket(p.t, "day")}: ${formatNumber(p.v)}`);
    expect(text).toContain(["Signups per day (Last 30 days)", ...lastWeek].join("\n"));
    const grouped = await query({ metric: "revenue", aggregation: "sum", granularity: "day", range: "30d", groupBy: ["plan"] });
    for (const s of grouped.series) {
      const lines = s.points.slice(-7).map((p) => `    ${formatBucket(p.t, "day")}: ${formatNumber(p.v)}`);
      expect(text).toContain([`  ${s.tags.plan}`, ...lines].join("\n"));
    }
    const table = await query({ metric: "orders", aggregation: "sum", granularity: "day", range: "7d", groupBy: ["country"] });
    const newest = table.series.flatMap((s) => s.points.map((p) => ({ t: p.t, country: s.tags.country!, v: p.v }))).sort((a, b) => Date.parse(b.t) - Date.parse(a.t) || b.v! - a.v!);
    for (const row of newest.slice(0, 10)) expect(text).toContain(`  ${formatBucket(row.t, "day")} · ${row.country}: ${formatNumber(row.v)}`);
  });

  test("the email as a mail client shows it (screenshot)", async () => {
    const mail = mails[0]!;
    const html = String(mail.html); // inline images already data: URLs (mailparser)
    writeFileSync(join(ARTIFACTS, "email.html"), html);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 700, height: 900 }, deviceScaleFactor: 1 });
      await page.setContent(html);
      await page.screenshot({ path: join(ARTIFACTS, "email.png"), fullPage: true });
      const narrow = await browser.newPage({ viewport: { width: 390, height: 800 }, deviceScaleFactor: 1 });
      await narrow.setContent(html);
      // On a phone the images scale down with the column; nothing overflows sideways.
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await narrow.screenshot({ path: join(ARTIFACTS, "email-phone.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
