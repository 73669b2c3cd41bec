import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fixedClock } from "../../src/lib/clock";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeSite, sendPlausible } from "../web/support";

/**
 * DESIGN.md: funnels take `date_range` as `/api/v2/query` takes it. Both endpoints, over HTTP,
 * for the same list of values: each value accepted by one is accepted by the other and resolves
 * to the same range (both echo it), and each refusal is a 400 naming `date_range` with the same
 * message (each endpoint with its own error code).
 */
const NOW = Date.UTC(2026, 2, 20, 12, 30);
const clock = fixedClock(NOW);
let server: TestServer;
let site: Awaited<ReturnType<typeof makeSite>>;

beforeAll(async () => {
  server = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  site = await makeSite(server.deps, { domain: "ranges.example", timezone: "America/New_York" });
  // The first visit (where "all" starts) well before this month; then one today.
  for (const at of [Date.UTC(2025, 10, 3, 15), NOW - 3_600_000]) {
    clock.set(at);
    expect((await sendPlausible(server.url, { n: "pageview", d: site.domain, u: `https://${site.domain}/` }, { xff: "10.8.0.1" })).status).toBe(202);
  }
  await server.deps.queue.flushNow();
  clock.set(NOW);
});
afterAll(() => server?.stop());

const ACCEPTED: unknown[] = [
  "day", "24h", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all",
  ["2026-03-01", "2026-03-10"],
  ["2026-03-10", "2026-03-10"],
  ["2026-03-08", "2026-03-09"], // across the change to daylight saving time in New York
  ["2026-03-01T00:00:00Z", "2026-03-02T12:00:00+01:00"],
  ["2026-03-01T10:00:00.500Z", "2026-03-01T11:00:00.250Z"],
];
const REFUSED: unknown[] = [
  "2d", "14d", "90d", "365d", "forever", "", "7D", "Day", "all ", "last_7_days",
  ["2026-03-10", "2026-03-01"],
  ["2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z"],
  ["2026-02-30", "2026-03-01"],
  ["2026-03-01", "2026-03-02T00:00:00Z"],
  ["2026-03-01"],
  ["2026-03-01", "2026-03-02", "2026-03-03"],
  ["yesterday", "today"],
  [20260301, 20260302],
  7, null, true, { from: "2026-03-01", to: "2026-03-02" },
  undefined, // no date_range at all
];

async function both(dateRange: unknown) {
  const ask = async (path: string, body: Record<string, unknown>) => {
    const res = await server.fetch(path, { method: "POST", headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ ...body, date_range: dateRange }) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const query = await ask("/api/v2/query", { site_id: site.domain, metrics: ["visitors"] });
  const funnel = await ask("/api/v1/insights/funnel", { steps: [{ page: "/" }, { page: "/pricing" }] });
  return { query, funnel };
}

describe("date_range: /api/v2/query and /api/v1/insights/funnel take the same values", () => {
  test("accepted by both, resolved to the same range", async () => {
    for (const value of ACCEPTED) {
      const { query, funnel } = await both(value);
      expect({ value, query: query.status, funnel: funnel.status }).toEqual({ value, query: 200, funnel: 200 });
      expect({ value, range: funnel.body.date_range }).toEqual({ value, range: query.body.query.date_range });
    }
  });

  test("refused by both: 400 naming date_range, with the same message", async () => {
    for (const value of REFUSED) {
      const { query, funnel } = await both(value);
      expect({ value, query: query.status, funnel: funnel.status }).toEqual({ value, query: 400, funnel: 400 });
      expect(query.body).toMatchObject({ error: "invalid_query", field: "date_range" });
      expect(funnel.body).toMatchObject({ error: "invalid_funnel", field: "date_range" });
      expect({ value, message: funnel.body.message }).toEqual({ value, message: query.body.message });
    }
  });

  test('"all" starts on the day of the first visit; "30d" is Plausible\'s: the 30 days before today, and today', async () => {
    const all = await both("all");
    expect(all.funnel.body.date_range).toEqual(["2025-11-03T00:00:00-05:00", "2026-03-20T23:59:59-04:00"]);
    const month = await both("30d");
    expect(month.funnel.body.date_range).toEqual(["2026-02-18T00:00:00-05:00", "2026-03-20T23:59:59-04:00"]);
    expect(month.funnel.body.steps[0].visitors).toBe(1);
  });
});
