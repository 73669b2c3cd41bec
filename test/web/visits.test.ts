import { describe, test, expect, afterAll } from "bun:test";
import { startTestServer, tempDir, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { saveWebSettings, getWebSettings } from "../../src/web/sites";
import { erasePerson } from "../../src/ops/erasure";
import { setRetention, applyRetention } from "../../src/ops/retention";
import { makeSite, sendPlausible, sendTrack } from "./support";
import { webCount, webRows } from "../helpers/web-plane";

/** Visits, bounce, duration, the daily salt, attribution mode, a restart, retention and erasure, with a fixed clock. */
const MIN = 60_000;
const T0 = Date.UTC(2026, 4, 4, 10); // a Monday, 10:00 UTC

async function query(s: TestServer, key: string, domain: string, body: Record<string, unknown>) {
  const r = await s.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${key}` }, body: JSON.stringify({ site_id: domain, ...body }) });
  const json = (await r.json()) as { results: { dimensions: string[]; metrics: number[] }[] };
  expect(r.status).toBe(200);
  return json.results;
}
const TOP = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"];

describe("visits", () => {
  const clock = fixedClock(T0);
  let s: TestServer;
  afterAll(async () => s?.stop());

  test("30 minutes without an event end a visit; bounce and duration follow the engagement", async () => {
    s = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    const site = await makeSite(s.deps, { domain: "visits.example" });
    const send = (body: Record<string, unknown>, ip = "198.51.100.10") => sendPlausible(s.url, { d: "visits.example", u: "https://visits.example/", ...body }, { xff: ip });
    // Visit 1: a page view, then another 29:59 later (same visit), engagement 12 s on the last page.
    clock.set(T0);
    await send({ n: "pageview" });
    clock.advance(29 * MIN + 59_000);
    await send({ n: "pageview", u: "https://visits.example/pricing" });
    clock.advance(20_000);
    await send({ n: "engagement", u: "https://visits.example/pricing", e: 12_000, sd: 80 });
    // Visit 2: exactly 30 minutes after the last event: a new visit, one page and 4 s of engagement: a bounce.
    clock.advance(30 * MIN);
    await send({ n: "pageview", u: "https://visits.example/blog" });
    clock.advance(5_000);
    await send({ n: "engagement", u: "https://visits.example/blog", e: 4_000 });
    // Visit 3 (another visitor): one page and 12 s engaged: not a bounce.
    await send({ n: "pageview" }, "198.51.100.11");
    clock.advance(13_000);
    await send({ n: "engagement", e: 12_000 }, "198.51.100.11");
    // An engagement ping with no visit to join is not a visit.
    clock.advance(2 * 3_600_000);
    await send({ n: "engagement", e: 9_000 }, "198.51.100.12");
    const [top] = await query(s, site.readKey, site.domain, { metrics: TOP, date_range: "day" });
    // Durations: visit 1 = 29:59 + 12 s = 1811 s; visit 2 = 0 + 4 s; visit 3 = 0 + 12 s → avg round(1827 / 3) = 609.
    expect(top!.metrics).toEqual([2, 3, 4, 33, 609]);
    const sessions = webRows(s.deps, "SELECT pageviews, entry_page, exit_page FROM web_sessions WHERE product_id = ? ORDER BY start_ms, id", site.product.id);
    expect(sessions).toEqual([
      { pageviews: 2, entry_page: "/", exit_page: "/pricing" },
      { pageviews: 1, entry_page: "/blog", exit_page: "/blog" },
      { pageviews: 1, entry_page: "/", exit_page: "/" },
    ]);
    const pages = await query(s, site.readKey, site.domain, { metrics: ["visitors", "pageviews", "bounce_rate", "scroll_depth", "time_on_page"], date_range: "day", dimensions: ["event:page"], filters: [["contains", "event:page", ["/"]]] });
    expect(pages).toContainEqual({ dimensions: ["/pricing"], metrics: [1, 1, 0, 80, 12] });
  });

  test("after a restart the writer picks up the open visit from the table", async () => {
    // One data directory at a time (embedded ClickHouse allows one per process under STORAGE=chdb).
    await s?.stop();
    s = undefined as never;
    const dir = tempDir();
    const c = fixedClock(T0 + 7 * 86_400_000);
    let a = await startTestServer({ clock: c, dataDir: dir.path, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    const site = await makeSite(a.deps, { domain: "restart.example" });
    await sendPlausible(a.url, { n: "pageview", d: "restart.example", u: "https://restart.example/a" }, { xff: "198.51.100.20" });
    c.advance(10 * MIN);
    await a.stop();
    a = await startTestServer({ clock: c, dataDir: dir.path, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      await sendPlausible(a.url, { n: "pageview", d: "restart.example", u: "https://restart.example/b" }, { xff: "198.51.100.20" });
      const [top] = await query(a, site.readKey, site.domain, { metrics: TOP, date_range: "day" });
      expect(top!.metrics).toEqual([1, 1, 2, 0, 600]);
      const exits = await query(a, site.readKey, site.domain, { metrics: ["visitors", "visits"], date_range: "day", dimensions: ["visit:exit_page"] });
      expect(exits).toEqual([{ dimensions: ["/b"], metrics: [1, 1] }]);
    } finally {
      await a.stop();
      dir.remove();
    }
  });
});

describe("visitor ids", () => {
  test("privacy mode: the salt rotates at 00:00 UTC, the old one is deleted, the same person is a new visitor", async () => {
    const clock = fixedClock(Date.UTC(2026, 4, 20, 23, 50));
    const s = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const site = await makeSite(s.deps, { domain: "salt.example" });
      const send = () => sendPlausible(s.url, { n: "pageview", d: "salt.example", u: "https://salt.example/" }, { xff: "198.51.100.30" });
      await send();
      const salts = () => s.deps.db.$client.query("SELECT day, salt FROM web_salts").all() as { day: number; salt: string }[];
      const before = salts();
      expect(before.length).toBe(1);
      clock.set(Date.UTC(2026, 4, 21, 0, 5)); // 15 minutes later, past midnight UTC
      await s.deps.scheduler.runJobNow("web.salts");
      const after = salts();
      expect(after.length).toBe(1);
      expect(after[0]!.day).toBe(before[0]!.day + 1);
      expect(after[0]!.salt).not.toBe(before[0]!.salt);
      await send();
      const ids = webRows(s.deps, "SELECT DISTINCT visitor_id FROM web_events WHERE product_id = ?", site.product.id);
      expect(ids.length).toBe(2);
      expect(webCount(s.deps, "SELECT count(*) AS n FROM web_sessions WHERE product_id = ?", site.product.id)).toBe(2);
      // Two visitor-days over the two days.
      const [top] = await query(s, site.readKey, site.domain, { metrics: ["visitors", "visits"], date_range: ["2026-05-20", "2026-05-21"] });
      expect(top!.metrics).toEqual([2, 2]);
    } finally {
      await s.stop();
    }
  });

  test("attribution mode: the script's id follows the visitor across addresses, and erasure by that id removes the visits", async () => {
    const clock = fixedClock(Date.UTC(2026, 5, 1, 9));
    const s = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const site = await makeSite(s.deps, { domain: "persist.example" });
      saveWebSettings(s.deps.db, site.product.id, { ...getWebSettings(s.deps.db, site.product.id), mode: "attribution" }, clock.now());
      const v = "vis_0123456789abcdef";
      await sendTrack(s.url, { site: site.siteToken, n: "pageview", u: "https://persist.example/", v }, { xff: "198.51.100.40" });
      clock.advance(MIN);
      await sendTrack(s.url, { site: site.siteToken, n: "pageview", u: "https://persist.example/pricing", v }, { xff: "203.0.113.41" });
      const rows = webRows(s.deps, "SELECT persisted_id, pageviews FROM web_sessions WHERE product_id = ?", site.product.id);
      expect(rows).toEqual([{ persisted_id: v, pageviews: 2 }]);
      const { deleted } = await erasePerson(s.deps, site.product.id, v, { kind: "key", id: "test" } as never);
      expect(deleted).toBe(3); // two hits and their visit
      expect(webCount(s.deps, "SELECT count(*) AS n FROM web_events WHERE product_id = ?", site.product.id)).toBe(0);
      // A new hit after the erasure does not bring the old visit back.
      clock.advance(MIN);
      await sendTrack(s.url, { site: site.siteToken, n: "pageview", u: "https://persist.example/", v }, { xff: "198.51.100.40" });
      expect(webRows(s.deps, "SELECT pageviews FROM web_sessions WHERE product_id = ?", site.product.id)).toEqual([{ pageviews: 1 }]);
    } finally {
      await s.stop();
    }
  });
});

describe("retention", () => {
  test("raw web rows past the horizon go; the pre-aggregated dashboard numbers stay", async () => {
    const clock = fixedClock(Date.UTC(2026, 6, 1, 12));
    const s = await startTestServer({ clock, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    try {
      const site = await makeSite(s.deps, { domain: "keep.example" });
      for (let i = 0; i < 3; i++) await sendPlausible(s.url, { n: "pageview", d: "keep.example", u: `https://keep.example/p${i}` }, { xff: `198.51.100.${60 + i}` });
      const q = { metrics: ["visitors", "visits", "pageviews", "bounce_rate"], date_range: ["2026-07-01", "2026-07-01"], dimensions: ["event:page"] };
      const before = await query(s, site.readKey, site.domain, q);
      expect(before.length).toBe(3);
      clock.set(Date.UTC(2026, 6, 20, 12));
      setRetention(s.deps.db, site.product.id, { days: 7 }, clock.now());
      const removed = await applyRetention(s.deps);
      expect(removed.web).toBe(6); // 3 hits, then 3 visits
      expect(webCount(s.deps, "SELECT count(*) AS n FROM web_events")).toBe(0);
      expect(await query(s, site.readKey, site.domain, q)).toEqual(before);
      // A filtered query reads raw rows: those are gone.
      const filtered = await query(s, site.readKey, site.domain, { ...q, filters: [["is", "event:page", ["/p1"]]] });
      expect(filtered).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});
