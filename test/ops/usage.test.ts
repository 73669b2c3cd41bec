import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { makeProductWithKeys } from "../helpers/factories";
import { runCliProcess } from "../helpers/process";
import { signIn } from "../helpers/sign-in";
import { fixedClock } from "../../src/lib/clock";
import { post } from "../ingest/ingest-helpers";
import { monthOf } from "../../src/writer/usage";

/**
 * Usage limits (issue 20): points and events stored this month, mails to the owners at 80, 90
 * and 100 % — each once per month however often the job runs — and at the limit "pause" refuses
 * ingestion with 429 quota_exceeded while "keep" goes on.
 */
// The CLI (another process) reads the system clock: the server's fixed clock starts at the same month.
const NOW = Date.now();
const MONTH = monthOf(NOW);
const NEXT_MONTH = Date.UTC(new Date(NOW).getUTCFullYear(), new Date(NOW).getUTCMonth() + 1, 1, 0, 0, 1);
const clock = fixedClock(NOW);

describe("usage metering and monthly limits", () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let paused: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let kept: Awaited<ReturnType<typeof makeProductWithKeys>>;

  const points = (key: string, n: number) =>
    post(server, "/api/v1/points", JSON.stringify(Array.from({ length: n }, (_, i) => ({ metric: "hits", value: i }))), { key });
  const usageMails = (productName: string) =>
    (server.deps.db.$client.query("SELECT subject, status FROM outbox WHERE subject LIKE ? ORDER BY rowid").all(`${productName} used %`) as { subject: string; status: string }[]).map((r) => r.subject);
  const runUsage = () => server.deps.scheduler.runJobNow("ops.usage");

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ clock, env: { SMTP_URL: smtp.url } });
    paused = await makeProductWithKeys(server.deps, { name: "Paused Co" });
    kept = await makeProductWithKeys(server.deps, { name: "Kept Co" });
  });
  afterAll(async () => {
    await server.stop();
    await smtp.stop();
  });

  test("pause: a mail at 80, 90 and 100 %, once each; past the limit ingestion answers 429 quota_exceeded", async () => {
    const owner = signIn(server, paused.user.id);
    const set = await owner.post(`/products/${paused.product.id}/settings/data/limit`, { limit: "10", mode: "pause" }, { "HX-Request": "true" });
    expect(set.status).toBe(200);

    expect((await points(paused.ingestKey, 7)).status).toBe(200);
    await runUsage();
    expect(usageMails("Paused Co")).toEqual([]); // 70 %

    expect((await points(paused.ingestKey, 1)).status).toBe(200);
    await runUsage();
    await runUsage(); // the watermark holds: not twice
    expect(usageMails("Paused Co")).toEqual(["Paused Co used 80 % of its monthly limit on LiteKPI"]);
    const mail = await smtp.waitFor((m) => m.subject?.includes("Paused Co used 80 %") ?? false);
    expect((mail.to as { text: string }).text).toBe(paused.user.email);
    expect(mail.text).toContain(`8 of its 10 points and events for ${MONTH}`);
    expect(mail.text).toContain(`/products/${paused.product.id}/settings/data`);

    // one event counts like one point
    expect((await post(server, "/api/v1/events", JSON.stringify({ event: "signup" }), { key: paused.ingestKey })).status).toBe(200);
    await runUsage();
    expect((await points(paused.ingestKey, 1)).status).toBe(200); // 10 of 10
    // refused at once (the gate counts answered writes in memory), before the job ran again
    const refused = await points(paused.ingestKey, 1);
    expect(refused.status).toBe(429);
    expect(refused.json.error).toBe("quota_exceeded");
    expect(refused.json.message).toContain("monthly limit of 10");
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await post(server, "/api/v1/events", JSON.stringify({ event: "signup" }), { key: paused.ingestKey })).status).toBe(429);
    await runUsage();
    await runUsage();
    expect(usageMails("Paused Co")).toEqual([
      "Paused Co used 80 % of its monthly limit on LiteKPI",
      "Paused Co used 90 % of its monthly limit on LiteKPI",
      "Paused Co used 100 % of its monthly limit on LiteKPI",
    ]);
    expect((await smtp.waitFor((m) => m.subject?.includes("Paused Co used 100 %") ?? false)).text).toContain("Ingestion is paused");
    // the other product is not affected
    expect((await points(kept.ingestKey, 1)).status).toBe(200);

    // the settings page shows this month's usage against the limit
    const page = await (await owner.get(`/products/${paused.product.id}/settings/data`)).text();
    expect(page).toContain("<strong>10</strong> of 10 (100 %)");

    // raising the limit lets data in again at once
    await owner.post(`/products/${paused.product.id}/settings/data/limit`, { limit: "1000", mode: "pause" }, { "HX-Request": "true" });
    expect((await points(paused.ingestKey, 1)).status).toBe(200);
    await owner.post(`/products/${paused.product.id}/settings/data/limit`, { limit: "10", mode: "pause" }, { "HX-Request": "true" });
    expect((await points(paused.ingestKey, 1)).status).toBe(429);

    // a new month starts from zero: ingestion resumes, and its own mails will come
    clock.set(NEXT_MONTH);
    expect((await points(paused.ingestKey, 8)).status).toBe(200);
    await runUsage();
    expect(usageMails("Paused Co").at(-1)).toBe("Paused Co used 80 % of its monthly limit on LiteKPI");
    expect(usageMails("Paused Co").length).toBe(4);
    clock.set(NOW);
  }, 30_000);

  test("keep: ingestion goes on past the limit (set with the CLI); products list --json has a usage object", async () => {
    const env = { DATA_DIR: server.dataDir };
    const set = await runCliProcess(["products", "set-limit", "--product", kept.product.id, "--limit", "5", "--mode", "keep", "--json"], env);
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout).usage).toMatchObject({ limit: 5, mode: "keep" });
    expect((await runCliProcess(["products", "set-limit", "--product", kept.product.id, "--limit", "5", "--mode", "stop"], env)).code).toBe(1);
    await runUsage(); // the server's gate learns the limit from the database

    for (let i = 0; i < 3; i++) expect((await points(kept.ingestKey, 3)).status).toBe(200); // 1 + 9 = 10 of 5
    expect((await post(server, "/api/v1/events", JSON.stringify([{ event: "a", id: "e-1" }, { event: "b" }]), { key: kept.ingestKey })).status).toBe(200);
    // a repeated event id is not stored again, so it does not count either
    expect((await post(server, "/api/v1/events", JSON.stringify([{ event: "a", id: "e-1" }]), { key: kept.ingestKey })).json).toEqual({ accepted: 0, duplicates: 1 });
    await runUsage();
    await runUsage();
    // past 80, 90 and 100 % at once: one mail, naming the highest
    expect(usageMails("Kept Co")).toEqual(["Kept Co used 100 % of its monthly limit on LiteKPI"]);
    expect((await smtp.waitFor((m) => m.subject?.includes("Kept Co used 100 %") ?? false)).text).toContain("Ingestion goes on");

    const list = await runCliProcess(["products", "list", "--json"], env);
    expect(list.code).toBe(0);
    const products = JSON.parse(list.stdout).products as { id: string; usage: Record<string, unknown> }[];
    expect(products.find((p) => p.id === kept.product.id)!.usage).toEqual({ month: MONTH, points: 10, events: 2, pageviews: 0, total: 12, limit: 5, mode: "keep", percent: 240 });
    expect(products.find((p) => p.id === paused.product.id)!.usage).toMatchObject({ month: MONTH, points: 10, events: 1, total: 11, limit: 10, mode: "pause" });

    // a manage key from the CLI
    const key = await runCliProcess(["keys", "create", "--product", kept.product.id, "--scope", "manage", "--json"], env);
    expect(key.code).toBe(0);
    expect(JSON.parse(key.stdout)).toMatchObject({ scope: "manage", name: "Manage key" });
  }, 30_000);
});
