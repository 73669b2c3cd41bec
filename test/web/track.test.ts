import { describe, test, expect, beforeAll, afterAll } from "bun:test";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, tempDir, type TestServer } from "../helpers/server";
import { BUN, freePort, REPO, runCliProcess, waitForHttp } from "../helpers/process";
import { saveWebSettings, getWebSettings } from "../../src/web/sites";
import { droppedEvents } from "../../src/ops/drops";
import { makeSite, sendPlausible, sendTrack, CHROME_UA, IPHONE_UA } from "./support";
import { webCount, webRows as storedWeb } from "../helpers/web-plane";

/** The tracking endpoints from outside: CORS, answers, drops counted, bad bodies refused, no IP kept. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { TRUSTED_PROXIES: "127.0.0.1" } });
});
afterAll(async () => {
  await server.stop();
});

const count = (sql: string, ...args: unknown[]) => (server.deps.db.$client.query(sql).get(...(args as [])) as { n: number }).n;
const dropsOf = (productId: string) =>
  Object.fromEntries((server.deps.db.$client.query("SELECT reason, n FROM web_drops WHERE product_id = ?").all(productId) as { reason: string; n: number }[]).map((r) => [r.reason, r.n]));
const webRows = () => webCount(server.deps, "SELECT (SELECT count(*) FROM web_events) + (SELECT count(*) FROM web_sessions) + (SELECT count(*) FROM web_agg_hour) + (SELECT count(*) FROM web_agg_day) AS n");

describe("POST /api/event and /api/track", () => {
  test("a preflight from any origin is allowed, and answers carry CORS headers", async () => {
    for (const path of ["/api/event", "/api/track"]) {
      const pre = await server.fetch(path, { method: "OPTIONS", headers: { Origin: "https://customer.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get("access-control-allow-origin")).toBe("*");
      expect(pre.headers.get("access-control-allow-methods")).toContain("POST");
      expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");
    }
    const bad = await sendPlausible(server.url, "{");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
  });

  test("Plausible's body and ours are stored after commit and answered 202 ok, with source, UTM, click ids and device", async () => {
    const site = await makeSite(server.deps, { domain: "shop.example" });
    const a = await sendPlausible(server.url, { n: "pageview", u: "https://www.shop.example/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&gclid=abc", d: "shop.example", r: "https://www.google.com/" }, { xff: "198.51.100.1" });
    expect(a.status).toBe(202);
    expect(await a.text()).toBe("ok");
    expect(a.headers.get("access-control-allow-origin")).toBe("*");
    const b = await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: "https://shop.example/about", r: "https://news.ycombinator.com/item?id=9", w: 390 }, { ua: IPHONE_UA, xff: "198.51.100.2" });
    expect(b.status).toBe(202);
    // Answered after commit: the rows are there without waiting.
    const sessions = storedWeb(server.deps, "SELECT * FROM web_sessions WHERE product_id = ? ORDER BY start_ms", site.product.id);
    expect(sessions.length).toBe(2);
    expect(sessions[0]).toMatchObject({ source: "newsletter", utm_medium: "email", utm_campaign: "spring", referrer: "google.com", entry_page: "/landing", browser: "Chrome", os: "Mac", device: "Desktop" });
    expect(JSON.parse(sessions[0]!.click_ids as string)).toEqual({ gclid: "abc" });
    expect(sessions[1]).toMatchObject({ source: "Hacker News", referrer: "news.ycombinator.com/item", browser: "Safari", os: "iOS", device: "Mobile" });
    expect(count("SELECT pageviews AS n FROM usage_monthly WHERE product_id = ?", site.product.id)).toBe(2);
  });

  test("a self-referral is direct; hash routing keeps the fragment; props are kept as strings", async () => {
    const site = await makeSite(server.deps, { domain: "spa.example" });
    await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: "https://spa.example/#/settings", r: "https://www.spa.example/home", h: 1, p: { plan: "pro", seats: 3, beta: true } }, { xff: "198.51.100.3" });
    const s = storedWeb(server.deps, "SELECT source, referrer, entry_page FROM web_sessions WHERE product_id = ?", site.product.id)[0];
    expect(s).toEqual({ source: null, referrer: null, entry_page: "/#/settings" });
    const e = storedWeb(server.deps, "SELECT props FROM web_events WHERE product_id = ?", site.product.id)[0] as { props: string };
    expect(JSON.parse(e.props)).toEqual({ plan: "pro", seats: "3", beta: "true" });
  });

  test("bots, excluded paths, excluded addresses and unknown domains are dropped, counted per product and reason, and answered 202", async () => {
    const site = await makeSite(server.deps, { domain: "drops.example" });
    saveWebSettings(server.deps.db, site.product.id, { ...getWebSettings(server.deps.db, site.product.id), excludedPaths: ["/admin/**", "/preview/*"], ipExclusions: ["10.9.0.0/16", "2001:db8:9::/48"] }, server.deps.clock.now());
    const before = Object.fromEntries(droppedEvents());
    const sends: [unknown, { ua?: string; xff?: string }][] = [
      [{ n: "pageview", u: "https://drops.example/", d: "drops.example" }, { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" }],
      [{ n: "pageview", u: "https://drops.example/", d: "drops.example" }, { ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36" }],
      [{ n: "pageview", u: "https://drops.example/", d: "drops.example" }, { ua: "" }],
      [{ n: "pageview", u: "https://drops.example/admin/users/1", d: "drops.example" }, {}],
      [{ n: "pageview", u: "https://drops.example/preview/x", d: "drops.example" }, {}],
      [{ n: "pageview", u: "https://drops.example/", d: "drops.example" }, { xff: "10.9.4.5" }],
      [{ n: "pageview", u: "https://drops.example/", d: "drops.example" }, { xff: "2001:db8:9::1" }],
    ];
    for (const [body, opts] of sends) expect((await sendPlausible(server.url, body, { xff: "198.51.100.9", ...opts })).status).toBe(202);
    expect((await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: "https://elsewhere.example/" }, { xff: "198.51.100.9" })).status).toBe(202);
    expect((await sendPlausible(server.url, { n: "pageview", u: "https://nobody.example/", d: "nobody.example" })).status).toBe(202);
    // A path the globs do not cover is kept: /preview/x/y is two segments deep.
    expect((await sendPlausible(server.url, { n: "pageview", u: "https://drops.example/preview/x/y", d: "drops.example" }, { xff: "198.51.100.9" })).status).toBe(202);
    await server.deps.queue.flushNow();
    expect(dropsOf(site.product.id)).toEqual({ bot: 3, excluded_path: 2, ip_excluded: 2, unknown_domain: 1 });
    expect(webCount(server.deps, "SELECT count(*) AS n FROM web_events WHERE product_id = ?", site.product.id)).toBe(1);
    const after = Object.fromEntries(droppedEvents());
    expect(after.bot! - before.bot!).toBe(3);
    expect(after.unknown_domain! - before.unknown_domain!).toBe(2);
  });

  test("30+ malformed bodies get 400 / 413 / 415 in the one error shape and change nothing", async () => {
    const site = await makeSite(server.deps, { domain: "bad.example" });
    const rows = webRows();
    const ok = { n: "pageview", u: "https://bad.example/", d: "bad.example" };
    const bodies: [string, unknown, number, string?][] = [
      ["/api/event", "", 400],
      ["/api/event", "   ", 400],
      ["/api/event", "{", 400],
      ["/api/event", "null", 400],
      ["/api/event", "42", 400],
      ["/api/event", '"pageview"', 400],
      ["/api/event", "[]", 400],
      ["/api/event", JSON.stringify([ok]), 400],
      ["/api/event", { ...ok, n: undefined }, 400, "n"],
      ["/api/event", { ...ok, n: "" }, 400, "n"],
      ["/api/event", { ...ok, n: 5 }, 400, "n"],
      ["/api/event", { ...ok, n: "x".repeat(121) }, 400, "n"],
      ["/api/event", { ...ok, n: "bad\u0001name" }, 400, "n"],
      ["/api/event", { ...ok, u: undefined }, 400, "u"],
      ["/api/event", { ...ok, u: "/relative" }, 400, "u"],
      ["/api/event", { ...ok, u: "ftp://bad.example/" }, 400, "u"],
      ["/api/event", { ...ok, u: "javascript:alert(1)" }, 400, "u"],
      ["/api/event", { ...ok, u: "https://bad.example/" + "a".repeat(2100) }, 400, "u"],
      ["/api/event", { ...ok, d: undefined }, 400, "d"],
      ["/api/event", { ...ok, d: "" }, 400, "d"],
      ["/api/event", { ...ok, d: 7 }, 400, "d"],
      ["/api/event", { ...ok, r: 5 }, 400, "r"],
      ["/api/event", { ...ok, p: "not json" }, 400, "p"],
      ["/api/event", { ...ok, p: [1, 2] }, 400, "p"],
      ["/api/event", { ...ok, p: { nested: { a: 1 } } }, 400, "p"],
      ["/api/event", { ...ok, p: Object.fromEntries(Array.from({ length: 31 }, (_, i) => ["k" + i, "v"])) }, 400, "p"],
      ["/api/event", { ...ok, p: { k: "v".repeat(2001) } }, 400, "p"],
      ["/api/event", { ...ok, e: -1 }, 400, "e"],
      ["/api/event", { ...ok, e: "10" }, 400, "e"],
      ["/api/event", { ...ok, sd: "deep" }, 400, "sd"],
      ["/api/event", { ...ok, $: { amount: "lots", currency: "USD" } }, 400, "$"],
      ["/api/event", { ...ok, $: { amount: 5, currency: "dollars" } }, 400, "$"],
      ["/api/event", { ...ok, revenue: 5 }, 400, "revenue"],
      ["/api/track", { ...ok, site: site.siteToken }, 400, "d"],
      ["/api/track", { n: "pageview", u: "https://bad.example/" }, 400, "site"],
      ["/api/track", { site: "nope", n: "pageview", u: "https://bad.example/" }, 400, "site"],
      ["/api/track", { site: site.siteToken, n: "pageview", u: "https://bad.example/", v: "short" }, 400, "v"],
      ["/api/track", { site: site.siteToken, n: "pageview", u: "https://bad.example/", w: 1e9 }, 400, "w"],
      ["/api/event", JSON.stringify({ ...ok, p: { pad: "x".repeat(17_000) } }), 413],
    ];
    expect(bodies.length).toBeGreaterThanOrEqual(30);
    for (const [path, body, status, field] of bodies) {
      const res = await fetch(server.url + path, { method: "POST", headers: { "Content-Type": "text/plain", "User-Agent": CHROME_UA }, body: typeof body === "string" ? body : JSON.stringify(body) });
      const json = (await res.json()) as { error: string; message: string; field?: string };
      expect({ path, body, status: res.status }).toEqual({ path, body, status });
      expect(typeof json.error).toBe("string");
      expect(json.message.length).toBeGreaterThan(0);
      if (field) expect(json.field).toBe(field);
    }
    const invalidUtf8 = await fetch(server.url + "/api/event", { method: "POST", headers: { "Content-Type": "text/plain" }, body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(invalidUtf8.status).toBe(400);
    const xml = await fetch(server.url + "/api/event", { method: "POST", headers: { "Content-Type": "application/xml" }, body: "<a/>" });
    expect(xml.status).toBe(415);
    await server.deps.queue.flushNow();
    expect(webRows()).toBe(rows);
    expect(count("SELECT count(*) AS n FROM web_drops WHERE product_id = ?", site.product.id)).toBe(0);
  });

  // A second server beside this file's: embedded ClickHouse allows one data directory per
  // process, and the rate limit is the HTTP thread's, the same on every engine.
  (process.env.STORAGE === "chdb" ? test.skip : test)("requests over the per-IP rate are answered 429 with Retry-After", async () => {
    const limited = await startTestServer({ env: { TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_TRACK_PER_IP_RPS: "2" } });
    try {
      await makeSite(limited.deps, { domain: "rate.example" });
      const statuses: number[] = [];
      for (let i = 0; i < 8; i++) statuses.push((await sendPlausible(limited.url, { n: "pageview", u: "https://rate.example/", d: "rate.example" }, { xff: "198.51.100.50" })).status);
      expect(statuses).toContain(429);
      const other = await sendPlausible(limited.url, { n: "pageview", u: "https://rate.example/", d: "rate.example" }, { xff: "198.51.100.51" });
      expect(other.status).toBe(202);
      const res = await sendPlausible(limited.url, { n: "pageview", u: "https://rate.example/", d: "rate.example" }, { xff: "198.51.100.50" });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.stop();
    }
  });
});

describe("no IP address is stored or logged", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  test("the database file, its WAL and the server's debug log never hold the visitors' addresses", async () => {
    const env = { DATA_DIR: dir.path, TRUSTED_PROXIES: "127.0.0.1", LOG_LEVEL: "debug", RATE_LIMIT_TRACK_PER_IP_RPS: "100000" };
    expect((await runCliProcess(["users", "create", "--email", "ip@example.com", "--password", "long enough pw"], env)).code).toBe(0);
    expect((await runCliProcess(["products", "create", "--owner", "ip@example.com", "--name", "IP", "--domain", "ip.example"], env)).code).toBe(0);
    const port = freePort();
    const proc = Bun.spawn([BUN, "src/main.ts"], { cwd: REPO, env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" }, stdout: "pipe", stderr: "pipe" });
    const out = new Response(proc.stdout).text();
    const err = new Response(proc.stderr).text();
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(base + "/healthz", 20_000);
    const ips = ["203.0.113.77", "2001:db8:77::1234", "198.51.100.177"];
    for (const ip of ips) {
      expect((await sendPlausible(base, { n: "pageview", u: "https://ip.example/?utm_source=x", d: "ip.example", r: "https://other.example/" }, { xff: ip })).status).toBe(202);
      expect((await sendPlausible(base, { n: "Signup", u: "https://ip.example/", d: "ip.example" }, { xff: ip })).status).toBe(202);
      expect((await sendPlausible(base, "{broken", { xff: ip })).status).toBe(400);
    }
    proc.kill("SIGTERM");
    await proc.exited;
    const log = (await out) + (await err);
    expect(log.length).toBeGreaterThan(0);
    // Read now: the CLI run below opens and closes the database, which checkpoints and removes the WAL.
    const files = ["litekpi.db", "litekpi.db-wal"].map((f) => join(dir.path, f)).filter(existsSync).map((f) => readFileSync(f));
    expect(files.length).toBeGreaterThan(0);
    const visits = await runCliProcess(["products", "list", "--json"], env);
    expect(visits.code).toBe(0);
    for (const ip of ips) {
      expect(log.includes(ip)).toBe(false);
      for (const f of files) expect(f.includes(Buffer.from(ip))).toBe(false);
    }
  }, 60_000);
});
