import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { createKey } from "../../src/products/keys";
import { runWebQuery } from "../../src/web/query/run";
import { makeSite, sendPlausible } from "./support";

/** POST /api/v2/query as Plausible's Stats API v2 clients call it: auth, site_id, shapes, rounding, errors. */
const clock = fixedClock(Date.UTC(2026, 8, 15, 12)); // Tuesday 15 September 2026
let s: TestServer;
let site: Awaited<ReturnType<typeof makeSite>>;
let other: Awaited<ReturnType<typeof makeSite>>;

beforeAll(async () => {
  s = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
  site = await makeSite(s.deps, { domain: "stats.example", timezone: "Europe/Berlin" });
  other = await makeSite(s.deps, { domain: "other.example" });
  // Three visitors: two bounce on /, one reads /, /pricing and /docs (and signs up). Yesterday one more visit.
  const send = (ip: string, n: string, path: string, extra: Record<string, unknown> = {}) =>
    sendPlausible(s.url, { n, d: "stats.example", u: "https://stats.example" + path, ...extra }, { xff: ip });
  clock.set(Date.UTC(2026, 8, 14, 9));
  await send("198.51.100.1", "pageview", "/");
  clock.set(Date.UTC(2026, 8, 15, 8));
  await send("198.51.100.2", "pageview", "/", { r: "https://www.google.com/" });
  await send("198.51.100.3", "pageview", "/?utm_source=newsletter");
  await send("198.51.100.4", "pageview", "/", { r: "https://news.ycombinator.com/" });
  clock.advance(65_000);
  await send("198.51.100.4", "pageview", "/pricing");
  clock.advance(30_000);
  await send("198.51.100.4", "Signup", "/pricing", { p: { plan: "pro" } });
  clock.advance(10_000);
  await send("198.51.100.4", "pageview", "/docs");
  clock.set(Date.UTC(2026, 8, 15, 12));
});
afterAll(async () => s.stop());

async function post(body: unknown, key = site.readKey) {
  const r = await s.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, any> };
}

describe("POST /api/v2/query", () => {
  test("aggregate: Plausible's shape, percent and seconds rounded, the resolved range echoed in the site's zone", async () => {
    const { status, json } = await post({ site_id: "stats.example", metrics: ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events"], date_range: "day" });
    expect(status).toBe(200);
    // Today: 3 visitors, 3 visits, 5 page views; 2 of 3 visits bounced (67 %); durations 0, 0, 105 s → 35 s.
    expect(json.results).toEqual([{ dimensions: [], metrics: [3, 3, 5, 1.67, 67, 35, 6] }]);
    expect(json.query.date_range).toEqual(["2026-09-15T00:00:00+02:00", "2026-09-15T23:59:59+02:00"]);
    expect(json.query.metrics).toEqual(["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events"]);
    expect(json.meta).toEqual({});
  });

  test("breakdowns by source, page and goal; order_by, pagination and total_rows", async () => {
    const sources = await post({ site_id: "stats.example", metrics: ["visitors", "bounce_rate"], date_range: "7d", dimensions: ["visit:source"], order_by: [["visit:source", "asc"]] });
    expect(sources.json.results).toEqual([
      { dimensions: ["Direct / None"], metrics: [1, 100] },
      { dimensions: ["Google"], metrics: [1, 100] },
      { dimensions: ["Hacker News"], metrics: [1, 0] },
      { dimensions: ["newsletter"], metrics: [1, 100] },
    ]);
    const pages = await post({ site_id: "stats.example", metrics: ["visitors", "pageviews"], date_range: "7d", dimensions: ["event:page"], pagination: { limit: 1, offset: 1 }, include: { total_rows: true } });
    expect(pages.json.results).toEqual([{ dimensions: ["/docs"], metrics: [1, 1] }]);
    expect(pages.json.meta.total_rows).toBe(3);
    const goals = await post({ site_id: "stats.example", metrics: ["visitors", "events", "conversion_rate"], date_range: "7d", dimensions: ["event:goal"] });
    expect(goals.json.results).toEqual([{ dimensions: ["Signup"], metrics: [1, 1, 25] }]);
    const props = await post({ site_id: "stats.example", metrics: ["visitors"], date_range: "7d", dimensions: ["event:props:plan"] });
    expect(props.json.results).toEqual([{ dimensions: ["pro"], metrics: [1] }]);
  });

  test("time dimensions with time_labels; empty buckets are left out of results", async () => {
    const { json } = await post({ site_id: "stats.example", metrics: ["visitors", "pageviews"], date_range: "7d", dimensions: ["time:day"], include: { time_labels: true } });
    expect(json.results).toEqual([
      { dimensions: ["2026-09-14"], metrics: [1, 1] },
      { dimensions: ["2026-09-15"], metrics: [3, 5] },
    ]);
    expect(json.meta.time_labels).toEqual(["2026-09-09", "2026-09-10", "2026-09-11", "2026-09-12", "2026-09-13", "2026-09-14", "2026-09-15"]);
    const hours = await post({ site_id: "stats.example", metrics: ["pageviews"], date_range: "day", dimensions: ["time:hour"] });
    expect(hours.json.results).toEqual([{ dimensions: ["2026-09-15 10:00:00"], metrics: [5] }]);
  });

  test("filters: is, contains, matches, their negations and and/or/not", async () => {
    const f = async (filters: unknown[]) => (await post({ site_id: "stats.example", metrics: ["visitors"], date_range: "7d", filters })).json.results[0].metrics[0];
    expect(await f([["is", "visit:source", ["Google", "Hacker News"]]])).toBe(2);
    expect(await f([["is_not", "visit:source", ["Direct / None"]]])).toBe(3);
    expect(await f([["contains", "event:page", ["pric"]]])).toBe(1);
    expect(await f([["contains_not", "event:page", ["pric"]]])).toBe(4);
    expect(await f([["matches", "event:page", ["^/(docs|pricing)$"]]])).toBe(1);
    expect(await f([["is", "event:goal", ["Signup"]]])).toBe(1);
    expect(await f([["or", [["is", "visit:source", ["Google"]], ["is", "visit:source", ["newsletter"]]]]])).toBe(2);
    expect(await f([["not", ["is", "visit:source", ["Google"]]]])).toBe(3);
    expect(await f([["is", "visit:source", ["google"], { case_sensitive: false }]])).toBe(1);
  });

  test("a read key answers for its own product's domains only; ingest keys and no key are refused", async () => {
    expect((await post({ site_id: "other.example", metrics: ["visitors"], date_range: "day" })).status).toBe(404);
    expect((await post({ site_id: "stats.example", metrics: ["visitors"], date_range: "day" }, other.readKey)).status).toBe(404);
    expect((await post({ site_id: "www.stats.example", metrics: ["visitors"], date_range: "day" })).status).toBe(200);
    expect((await post({ site_id: "stats.example", metrics: ["visitors"], date_range: "day" }, site.ingestKey)).status).toBe(403);
    const none = await s.fetch("/api/v2/query", { method: "POST", body: "{}" });
    expect(none.status).toBe(401);
    const manage = createKey(s.deps.db, { productId: site.product.id, scope: "manage" as never }, clock.now());
    expect((await post({ site_id: "stats.example", metrics: ["visitors"], date_range: "day" }, manage.secret)).status).toBe(200);
  });

  test("bad queries are 400 naming the field, with Plausible's messages where it has them", async () => {
    const bad: [unknown, string, string?][] = [
      [{ metrics: ["visitors"], date_range: "day" }, "site_id"],
      [{ site_id: "stats.example", date_range: "day" }, "metrics"],
      [{ site_id: "stats.example", metrics: ["nope"], date_range: "day" }, "metrics"],
      [{ site_id: "stats.example", metrics: ["visitors", "visitors"], date_range: "day" }, "metrics"],
      [{ site_id: "stats.example", metrics: ["visitors"] }, "date_range"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "2d" }, "date_range"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: ["2026-09-10", "nope"] }, "date_range"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: ["2026-09-10", "2026-09-01"] }, "date_range"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", dimensions: ["visit:nope"] }, "dimensions"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", dimensions: ["time:day", "time:hour"] }, "dimensions"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", filters: [["equals", "visit:source", ["x"]]] }, "filters"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", filters: [["is", "visit:source", "x"]] }, "filters"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", filters: [["matches", "event:page", ["("]]] }, "filters"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", filters: [["not", ["is", "event:goal", ["Signup"]]]] }, "filters", "can only be filtered at the top level"],
      [{ site_id: "stats.example", metrics: ["conversion_rate"], date_range: "day" }, "metrics", "can only be queried with event:goal filters or dimensions"],
      [{ site_id: "stats.example", metrics: ["scroll_depth"], date_range: "day" }, "metrics", "can only be queried with event:page filters or dimensions"],
      [{ site_id: "stats.example", metrics: ["views_per_visit"], date_range: "day", dimensions: ["visit:source"] }, "metrics", "cannot be queried with `dimensions`"],
      [{ site_id: "stats.example", metrics: ["bounce_rate"], date_range: "day", dimensions: ["event:goal"] }, "metrics", "cannot be queried along with event dimensions"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", order_by: [["pageviews", "desc"]] }, "order_by", "Entry is not a queried metric or dimension"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", include: { time_labels: true } }, "include", "requires a time dimension"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", pagination: { limit: 0 } }, "pagination"],
      [{ site_id: "stats.example", metrics: ["visitors"], date_range: "day", surprise: 1 }, "surprise"],
    ];
    for (const [body, field, message] of bad) {
      const { status, json } = await post(body);
      expect({ body, status, field: json.field }).toEqual({ body, status: 400, field });
      if (message) expect(json.message).toContain(message);
    }
  });

  test("runWebQuery (the dashboard's entry) answers exactly what the API answers", async () => {
    const body = { site_id: "stats.example", metrics: ["visitors", "visits", "bounce_rate"], date_range: "7d", dimensions: ["visit:source"] };
    expect(runWebQuery(s.deps, site.product.id, body)).toEqual((await post(body)).json as never);
  });

  test("revenue metrics answer nothing earned until revenue events exist", async () => {
    const { json } = await post({ site_id: "stats.example", metrics: ["visitors", "revenue", "purchases", "rpv", "total_revenue", "average_revenue"], date_range: "day" });
    expect(json.results).toEqual([{ dimensions: [], metrics: [3, 0, 0, 0, null, null] }]);
  });
});
