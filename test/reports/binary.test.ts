import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import type { ParsedMail } from "mailparser";
import { openDatabase, closeDatabase, type Db } from "../../src/db/connection";
import { createSession, SESSION_COOKIE } from "../../src/auth/session";
import { createDashboard } from "../../src/dashboards/dashboards";
import { addWidget } from "../../src/dashboards/widgets";
import { tempDir } from "../helpers/server";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { BUN, freePort, REPO, waitForHttp } from "../helpers/process";
import { countPixels, decodePng } from "./png";

/**
 * The report PNGs from the compiled single binary: nothing sits beside it, so Inter must come
 * from the embedded assets and the resvg native addon from the bundle. The binary serves; this
 * process sets up the dashboard and a session in the same SQLite file (WAL), then asks for a
 * test send through the page's form and checks what reaches the SMTP sink.
 */
const ARTIFACTS = join(import.meta.dir, "../artifacts/reports");

describe("report snapshots from the compiled binary", () => {
  const dir = tempDir("litekpi-binary-");
  const binary = join(dir.path, "litekpi");
  const dataDir = join(dir.path, "data");
  let smtp: SmtpSink;
  let server: Subprocess | null = null;
  let db: Db | null = null;

  beforeAll(async () => {
    const build = Bun.spawnSync([BUN, "scripts/build.ts", "--outfile", binary], { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.toString()}`);
    smtp = await startSmtpSink();
  }, 120_000);
  afterAll(async () => {
    server?.kill();
    await server?.exited;
    if (db) closeDatabase(db);
    await smtp?.stop();
    dir.remove();
  });

  const cli = (args: string[]) => {
    const run = Bun.spawnSync([binary, ...args, "--json"], { env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "warn" }, stdout: "pipe", stderr: "pipe" });
    if (run.exitCode !== 0) throw new Error(`${args.join(" ")}: ${run.stderr.toString()}`);
    return JSON.parse(run.stdout.toString());
  };

  test("a test send from the binary carries decodable PNGs with drawn text and lines", async () => {
    cli(["users", "create", "--email", "bin@example.com", "--password", "correct horse battery"]);
    const product = cli(["products", "create", "--owner", "bin@example.com", "--name", "Binary Co", "--timezone", "Europe/Berlin"]) as { id: string; key: string };
    const port = freePort();
    const url = `http://127.0.0.1:${port}`;
    server = Bun.spawn([binary], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: "127.0.0.1", SMTP_URL: smtp.url, BASE_URL: url, LOG_LEVEL: "warn" },
      stdout: "ignore",
      stderr: "inherit",
    });
    await waitForHttp(`${url}/healthz`, 20_000);
    const now = Date.now();
    const points = Array.from({ length: 14 }, (_, d) => ({ metric: "signups", value: 50 + d * 3 + (d % 4) * 7, timestamp: new Date(now - d * 86_400_000 - 60_000).toISOString() }));
    const ingest = await fetch(`${url}/api/v1/points`, { method: "POST", headers: { Authorization: `Bearer ${product.key}`, "Content-Type": "application/json" }, body: JSON.stringify(points) });
    expect(ingest.status).toBe(200);

    db = openDatabase(join(dataDir, "litekpi.db"));
    const user = db.$client.query("SELECT id FROM users WHERE email = 'bin@example.com'").get() as { id: string };
    const dashboard = createDashboard(db, product.id, { name: "From the binary" }, now);
    const base = { metric: "signups", aggregation: "sum" as const, range: { kind: "last" as const, n: 14, unit: "d" as const }, filters: {}, groupBy: [], compare: true, size: "full" as const };
    addWidget(db, product.id, dashboard.id, { kind: "number", title: "Signups", config: base }, now);
    addWidget(db, product.id, dashboard.id, { kind: "line", title: "Signups per day", config: { ...base, granularity: "day" } }, now);
    const { token } = createSession(db, user.id, now);
    const headers = { Cookie: `${SESSION_COOKIE}=${token}`, Origin: url, "Content-Type": "application/x-www-form-urlencoded" };
    const reports = `${url}/products/${product.id}/dashboards/${dashboard.id}/reports`;
    const created = await fetch(reports, { method: "POST", headers, redirect: "manual", body: new URLSearchParams({ frequency: "daily", time_of_day: "07:00", recipients: "bin@example.com" }) });
    expect(created.status).toBe(303);
    const reportId = (db.$client.query("SELECT id FROM reports WHERE dashboard_id = ?").get(dashboard.id) as { id: string }).id;
    const sent = await fetch(`${reports}/${reportId}/test`, { method: "POST", headers: { ...headers, "HX-Request": "true" }, body: "" });
    expect(await sent.text()).toContain("Test sent to bin@example.com.");

    const mail: ParsedMail = await smtp.waitFor((m) => m.subject?.includes("From the binary") ?? false, 20_000);
    const pngs = mail.attachments.filter((a) => a.contentType === "image/png");
    expect(pngs).toHaveLength(2);
    mkdirSync(ARTIFACTS, { recursive: true });
    const [number, line] = pngs.map((a, i) => {
      writeFileSync(join(ARTIFACTS, `binary-${i + 1}.png`), a.content);
      return decodePng(new Uint8Array(a.content));
    });
    expect([number!.width, number!.height]).toEqual([534, 312]);
    expect([line!.width, line!.height]).toEqual([1100, 640]);
    // Title and figure are text: drawn only if the embedded Inter was found (else satori throws).
    expect(countPixels(number!, { x0: 40, x1: 500, y0: 30, y1: 80 }, (r, g, b) => Math.max(r, g, b) < 80)).toBeGreaterThan(100);
    expect(countPixels(number!, { x0: 40, x1: 500, y0: 96, y1: 224 }, (r, g, b) => Math.max(r, g, b) < 80)).toBeGreaterThan(500);
    expect(countPixels(line!, { x0: 80, x1: 1080, y0: 90, y1: 560 }, (r, g, b) => b > 180 && r < 120 && g < 120)).toBeGreaterThan(500);
  }, 120_000);
});
