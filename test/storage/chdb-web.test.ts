import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { chdbAvailable, openChdb } from "../../src/storage/clickhouse/chdb";
import { realtimeVisitors } from "../../src/web/query/run";
import { getWebSettings, saveWebSettings } from "../../src/web/sites";
import type { ClickHouseTransport } from "../../src/storage/clickhouse/transport";
import { applyRetention, setRetention } from "../../src/ops/retention";
import { deleteProduct, purgeDeletedProducts } from "../../src/products/delete-product";
import { makeSite, CHROME_UA, FIREFOX_UA } from "../web/support";

/**
 * Web analytics on the ClickHouse data plane (STORAGE=chdb): what only ClickHouse can get wrong —
 * a visit updated across flushes is a new row version each time and must be read once; the
 * aggregates are deltas summed at read time; an insert that fails after SQLite did its part;
 * deletes that are mutations; the copy between engines. The shared web contract and property
 * tests run under STORAGE=chdb in the CI's chdb lane as well.
 */
const available = chdbAvailable();
if (!available) console.log("chdb not installed: STORAGE=chdb web tests skipped (npm install --no-save chdb@3.4.0)");
const t = available ? test : test.skip;

const START = Date.UTC(2026, 4, 12, 9, 0, 0);
const clock = fixedClock(START);
let server: TestServer;
let ch: ClickHouseTransport;
beforeAll(async () => {
  if (!available) return;
  server = await startTestServer({ clock, env: { STORAGE: "chdb", TRUSTED_PROXIES: "127.0.0.1" } });
  ch = openChdb(join(server.deps.config.dataDir, "clickhouse"));
});
afterAll(async () => {
  ch?.close();
  await server?.stop();
});

type Sent = { name?: string; path: string; ip: string; ua?: string; props?: Record<string, string>; e?: number };
async function hit(s: TestServer, domain: string, h: Sent, expectStatus = 202) {
  const body: Record<string, unknown> = { n: h.name ?? "pageview", u: `https://${domain}${h.path}`, d: domain, r: null };
  if (h.props) body.p = h.props;
  if (h.name === "engagement") Object.assign(body, { e: h.e ?? 12_000, sd: 50 });
  const res = await s.fetch("/api/event", { method: "POST", headers: { "Content-Type": "text/plain", "User-Agent": h.ua ?? CHROME_UA, "X-Forwarded-For": h.ip }, body: JSON.stringify(body) });
  expect(res.status).toBe(expectStatus);
  return res;
}

async function query(s: TestServer, readKey: string, body: Record<string, unknown>) {
  const res = await s.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${readKey}` }, body: JSON.stringify(body) });
  const json = await res.json();
  expect([res.status, json]).toMatchObject([200, {}]);
  return json as { results: { dimensions: string[]; metrics: unknown[] }[] };
}

const n = (sql: string, params: Record<string, string> = {}) => Number(ch.query(sql, params)[0]?.n ?? 0);

t("a visit updated across flushes is stored as versions and read once, with its latest state, by aggregates and raw rows alike", async () => {
  const site = await makeSite(server.deps);
  const d = site.domain;
  clock.set(START);
  // Each request is its own flush (each awaited): three versions of one visit.
  await hit(server, d, { path: "/", ip: "198.51.100.7" });
  clock.advance(60_000);
  await hit(server, d, { path: "/pricing", ip: "198.51.100.7" });
  clock.advance(30_000);
  await hit(server, d, { name: "engagement", path: "/pricing", ip: "198.51.100.7", e: 15_000 });
  await hit(server, d, { path: "/", ip: "203.0.113.9", ua: FIREFOX_UA });
  const p = { p: site.product.id };
  expect(n("SELECT count() AS n FROM web_sessions WHERE product_id = {p:String}", p)).toBeGreaterThan(2);
  expect(n("SELECT count() AS n FROM web_sessions FINAL WHERE product_id = {p:String}", p)).toBe(2);

  const metrics = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"];
  const range = ["2026-05-12", "2026-05-12"];
  // Unfiltered: the pre-aggregates (deltas summed); filtered: raw hits and visits (FINAL).
  const agg = await query(server, site.readKey, { site_id: d, metrics, date_range: range });
  const raw = await query(server, site.readKey, { site_id: d, metrics, date_range: range, filters: [["contains", "event:page", ["/"]]] });
  expect(agg.results).toEqual([{ dimensions: [], metrics: [2, 2, 3, 50, 38] }]);
  expect(raw.results).toEqual(agg.results);
  const exits = await query(server, site.readKey, { site_id: d, metrics: ["visits"], date_range: range, dimensions: ["visit:exit_page"] });
  // The first visit's exit page moved from / to /pricing: its old value was taken back (a negative delta).
  expect(exits.results).toEqual([{ dimensions: ["/"], metrics: [1] }, { dimensions: ["/pricing"], metrics: [1] }]);

  // Merging the parts changes nothing: versions collapse, deltas add up, zero rows go.
  for (const table of ["web_sessions", "web_agg_hour", "web_agg_day"]) ch.command(`OPTIMIZE TABLE ${table} FINAL`);
  expect(n("SELECT count() AS n FROM web_sessions WHERE product_id = {p:String}", p)).toBe(2);
  expect((await query(server, site.readKey, { site_id: d, metrics, date_range: range })).results).toEqual(agg.results);
  expect((await query(server, site.readKey, { site_id: d, metrics: ["visits"], date_range: range, dimensions: ["visit:exit_page"] })).results).toEqual(exits.results);
  // The realtime count: distinct visitors of the last 5 minutes, exact (uniqExact).
  expect(realtimeVisitors({ reader: server.deps.reader, clock }, site.product.id)).toBe(2);
  clock.advance(5 * 60_000 + 1);
  expect(realtimeVisitors({ reader: server.deps.reader, clock }, site.product.id)).toBe(0);
});

t("a ClickHouse insert that fails rolls the whole flush back: 503 storage_unavailable, nothing stored on either side, then recovery", async () => {
  const site = await makeSite(server.deps);
  clock.set(START + 86_400_000);
  await hit(server, site.domain, { path: "/a", ip: "198.51.100.20" });
  // A constraint makes ClickHouse refuse the block (what a full disk or a lost server would do).
  ch.command("ALTER TABLE web_events ADD CONSTRAINT no_boom CHECK pathname != '/boom'");
  try {
    clock.advance(10_000);
    const refused = await hit(server, site.domain, { path: "/boom", ip: "198.51.100.20", name: "Signup" }, 503);
    expect(await refused.json()).toMatchObject({ error: "storage_unavailable" });
  } finally {
    ch.command("ALTER TABLE web_events DROP CONSTRAINT no_boom");
  }
  const p = { p: site.product.id };
  expect(n("SELECT count() AS n FROM web_events WHERE product_id = {p:String}", p)).toBe(1);
  expect(n("SELECT sum(events) AS n FROM web_agg_day WHERE product_id = {p:String}", p)).toBe(0);
  // The writer forgot its memory and rebuilt it from ClickHouse: the retry joins the same visit.
  clock.advance(10_000);
  await hit(server, site.domain, { path: "/boom", ip: "198.51.100.20", name: "Signup" });
  const day = new Date(START + 86_400_000).toISOString().slice(0, 10);
  const r = await query(server, site.readKey, { site_id: site.domain, metrics: ["visitors", "visits", "pageviews", "events"], date_range: [day, day] });
  expect(r.results).toEqual([{ dimensions: [], metrics: [1, 1, 1, 2] }]);
  expect(n("SELECT count() AS n FROM web_sessions FINAL WHERE product_id = {p:String}", p)).toBe(1);
});

t("retention deletes old hits, then the visits that ended, and keeps the aggregates; erasure takes a visitor's visits; a purge takes the rest", async () => {
  const site = await makeSite(server.deps);
  const p = { p: site.product.id };
  clock.set(START - 40 * 86_400_000);
  await hit(server, site.domain, { path: "/old", ip: "198.51.100.30" });
  clock.set(START + 2 * 86_400_000);
  await hit(server, site.domain, { path: "/new", ip: "198.51.100.31" });
  const old = new Date(START - 40 * 86_400_000).toISOString().slice(0, 10);
  const before = await query(server, site.readKey, { site_id: site.domain, metrics: ["visitors", "pageviews"], date_range: [old, old] });
  expect(before.results).toEqual([{ dimensions: [], metrics: [1, 1] }]);
  setRetention(server.deps.db, site.product.id, { days: 30 }, clock.now());
  const applied = await applyRetention(server.deps);
  expect(applied.web).toBe(2); // one hit, then its visit
  expect(n("SELECT count() AS n FROM web_events WHERE product_id = {p:String}", p)).toBe(1);
  expect(n("SELECT count() AS n FROM web_sessions FINAL WHERE product_id = {p:String}", p)).toBe(1);
  // Cards and charts read the aggregates, which retention keeps.
  expect((await query(server, site.readKey, { site_id: site.domain, metrics: ["visitors", "pageviews"], date_range: [old, old] })).results).toEqual(before.results);

  // Erasure of a persisted visitor id (attribution mode): its visits and their hits.
  const person = "vis-erase-1";
  saveWebSettings(server.deps.db, site.product.id, { ...getWebSettings(server.deps.db, site.product.id), mode: "attribution" }, clock.now());
  for (const path of ["/x", "/y"]) {
    const res = await server.fetch("/api/track", {
      method: "POST",
      headers: { "Content-Type": "text/plain", "User-Agent": CHROME_UA, "X-Forwarded-For": "198.51.100.32" },
      body: JSON.stringify({ site: site.siteToken, n: "pageview", u: `https://${site.domain}${path}`, r: null, v: person }),
    });
    expect(res.status).toBe(202);
  }
  const mine = { ...p, v: person };
  expect(n("SELECT count() AS n FROM web_sessions FINAL WHERE product_id = {p:String} AND persisted_id = {v:String}", mine)).toBe(1);
  const erased = await server.deps.queue.erasePersonBatch(site.product.id, person, 0, 1000);
  expect(erased.deleted).toBe(3); // two hits and their visit
  expect(n("SELECT count() AS n FROM web_sessions WHERE product_id = {p:String} AND persisted_id = {v:String}", mine)).toBe(0);
  expect(n("SELECT count() AS n FROM web_events WHERE product_id = {p:String} AND pathname IN ('/x', '/y')", p)).toBe(0);
  expect(n("SELECT count() AS n FROM web_events WHERE product_id = {p:String}", p)).toBe(1);

  deleteProduct(server.deps.db, site.product.id, clock.now());
  await purgeDeletedProducts(server.deps);
  for (const table of ["web_events", "web_sessions", "web_agg_hour", "web_agg_day"]) expect(n(`SELECT count() AS n FROM ${table} WHERE product_id = {p:String}`, p)).toBe(0);
});
