import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { runCliProcess } from "../helpers/process";
import { signIn } from "../helpers/sign-in";
import { fixedClock } from "../../src/lib/clock";
import { queryAs, sendPoints } from "../query/support";
import { post } from "../ingest/ingest-helpers";

/**
 * Retention (issue 20): raw points and events older than N days are deleted by the job, through
 * the writer in batches; charts from rollups (day and hour answers of the query API) are the same
 * before and after; a query that needs raw rows from before the cut says so.
 */
const NOW = Date.UTC(2026, 5, 20, 12, 0, 0); // 2026-06-20T12:00Z
const DAY = 86_400_000;
const HORIZON = Date.UTC(2026, 5, 13); // 7 days back, down to UTC midnight
const iso = (ms: number) => new Date(ms).toISOString();

describe("retention keeps charts and says where raw data ends", () => {
  let server: TestServer;
  let t: Awaited<ReturnType<typeof makeProductWithKeys>>;
  const sqlite = () => server.deps.db.$client;
  const rawPoints = (where = "1") =>
    (sqlite().query(`SELECT count(*) AS n FROM points WHERE series_id IN (SELECT id FROM series WHERE product_id = ?) AND ${where}`).get(t.product.id) as { n: number }).n;
  const events = (where = "1") => (sqlite().query(`SELECT count(*) AS n FROM events WHERE product_id = ? AND ${where}`).get(t.product.id) as { n: number }).n;
  const query = async (body: Record<string, unknown>) => {
    const res = await queryAs(server, { Authorization: `Bearer ${t.readKey}` }, body);
    expect(res.status).toBe(200);
    return (await res.json()) as { series: { tags: Record<string, string>; points: { t: string; v: number | null }[] }[]; warnings?: { code: string; rawDataFrom: string; message: string }[] };
  };
  const charts = () =>
    Promise.all([
      query({ metric: "sales", aggregation: "sum", granularity: "day", from: "2026-06-01T00:00:00Z", to: "2026-06-21T00:00:00Z" }),
      query({ metric: "sales", aggregation: "count", granularity: "hour", from: "2026-06-10T00:00:00Z", to: "2026-06-12T00:00:00Z", groupBy: ["plan"] }),
      query({ metric: "sales", aggregation: "max", granularity: "day", from: "2026-06-01T00:00:00Z", to: "2026-06-21T00:00:00Z", filters: { plan: "pro" } }),
      query({ metric: "event:open", aggregation: "count", granularity: "day", from: "2026-06-01T00:00:00Z", to: "2026-06-21T00:00:00Z" }),
    ]);
  // 2026-06-12T23:50:30Z → 00:10Z, per minute: the first bucket's half minute needs raw points
  const crossing = { metric: "sales", aggregation: "sum", granularity: "minute", from: "2026-06-12T23:50:30Z", to: "2026-06-13T00:10:00Z" };
  const aligned = { ...crossing, from: "2026-06-12T23:51:00Z" };

  beforeAll(async () => {
    server = await startTestServer({ clock: fixedClock(NOW) });
    t = await makeProductWithKeys(server.deps, { name: "Retained" });
    // 20 days of points every 7 min 13 s (never on a minute), two plans; events in two namespaces.
    const points: { metric: string; value: number; timestamp: string; tags: Record<string, string> }[] = [];
    for (let ms = Date.UTC(2026, 5, 1); ms < NOW; ms += 433_000) points.push({ metric: "sales", value: (ms / 1000) % 97, timestamp: iso(ms), tags: { plan: points.length % 3 ? "free" : "pro" } });
    await sendPoints(server, t.ingestKey, points);
    const evs: { event: string; namespace: string; timestamp: string }[] = [];
    for (let ms = Date.UTC(2026, 5, 1, 6); ms < NOW; ms += DAY / 4) for (const namespace of ["app", "audit"]) evs.push({ event: "open", namespace, timestamp: iso(ms) });
    for (let i = 0; i < evs.length; i += 1000) expect((await post(server, "/api/v1/events", JSON.stringify(evs.slice(i, i + 1000)), { key: t.ingestKey })).status).toBe(200);
  }, 60_000);
  afterAll(() => server.stop());

  test("the job deletes raw rows past N days (per namespace too); day and hour charts are unchanged", async () => {
    const before = await charts();
    expect(before[0].series[0]!.points.filter((p) => (p.v ?? 0) > 0).length).toBe(20);
    const cross = await query(crossing);
    expect(cross.warnings).toBeUndefined(); // nothing deleted yet
    const oldPoints = rawPoints(`ts_ms < ${HORIZON}`);
    const keptPoints = rawPoints(`ts_ms >= ${HORIZON}`);
    const oldAudit = events(`namespace = 'audit' AND ts_ms < ${HORIZON}`);
    expect(oldAudit).toBe(47); // 06:00, 12:00, 18:00 on June 1, then four a day to June 12
    expect(oldPoints).toBeGreaterThan(2000); // more than one writer batch

    // the CLI sets the rules (another process, the same file), as an operator would
    const env = { DATA_DIR: server.dataDir };
    const own = await runCliProcess(["products", "set-retention", "--product", t.product.id, "--days", "7", "--json"], env);
    expect(own.code).toBe(0);
    const ns = await runCliProcess(["products", "set-retention", "--product", t.product.id, "--days", "365", "--namespace", "audit", "--json"], env);
    expect(JSON.parse(ns.stdout).retention).toEqual([{ namespace: "", days: 7 }, { namespace: "audit", days: 365 }]);
    const bad = await runCliProcess(["products", "set-retention", "--product", t.product.id, "--days", "0"], env);
    expect(bad.code).toBe(1);

    await server.deps.scheduler.runJobNow("ops.retention");

    expect(rawPoints(`ts_ms < ${HORIZON}`)).toBe(0);
    expect(rawPoints(`ts_ms >= ${HORIZON}`)).toBe(keptPoints);
    expect(events(`namespace = 'app' AND ts_ms < ${HORIZON}`)).toBe(0);
    expect(events(`namespace = 'app' AND ts_ms >= ${HORIZON}`)).toBeGreaterThan(0);
    expect(events(`namespace = 'audit' AND ts_ms < ${HORIZON}`)).toBe(oldAudit); // kept: its own rule is 365 days
    // the same charts, number for number
    expect(await charts()).toEqual(before);

    // a second run finds nothing more to delete and changes nothing
    await server.deps.scheduler.runJobNow("ops.retention");
    expect(await charts()).toEqual(before);
  }, 60_000);

  test("a minute query whose edge needs raw rows before the cut answers from rollups and names the cut", async () => {
    const cut = await query(crossing);
    expect(cut.warnings).toEqual([expect.objectContaining({ code: "raw_data_expired", rawDataFrom: "2026-06-13T00:00:00+00:00" })]);
    expect(cut.warnings![0]!.message).toContain("retention");
    // minute rows still answer every whole minute; only the first half minute lost its raw points
    const whole = await query(aligned);
    expect(whole.warnings).toBeUndefined();
    expect(cut.series[0]!.points.slice(1)).toEqual(whole.series[0]!.points);
    expect(cut.series[0]!.points[0]!.v).toBe(0);
    // a raw edge after the cut has no warning
    expect((await query({ ...crossing, from: "2026-06-14T00:00:30Z", to: "2026-06-14T00:10:00Z" })).warnings).toBeUndefined();
  });

  test("the settings page shows the rules; an owner changes them there", async () => {
    const owner = signIn(server, t.user.id);
    const page = await (await owner.get(`/products/${t.product.id}/settings/data`)).text();
    expect(page).toContain("7 days");
    expect(page).toContain("<code>audit</code>");
    const bad = await owner.post(`/products/${t.product.id}/settings/data/retention`, { days: "-3", namespace: "" }, { "HX-Request": "true" });
    expect(bad.status).toBe(422);
    const res = await owner.post(`/products/${t.product.id}/settings/data/retention`, { days: "", namespace: "audit" }, { "HX-Request": "true" });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("Events in audit: kept for ever.");
    expect(html).not.toContain("<code>audit</code>");
  });
});
