import { join } from "node:path";
import { openDatabase, closeDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { addDomain } from "../../src/web/sites";
import { createFlusher } from "../../src/writer/flush";
import type { WebHit } from "../../src/writer/batch";
import { runWebQuery } from "../../src/web/query/run";
import { singleRequests, type Target } from "../lib/load";
import { hasWrk, runWrk } from "../lib/wrk";
import { percentile } from "../lib/stats";
import { tempDir } from "../lib/procs";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";
import type { ChdbModule } from "../lib/chdb";
import { loadWebIntoChdb, webChdbRound } from "./web-chdb";

/**
 * Web analytics rows.
 * R14: Plausible-format page views (`POST /api/event`, one per request, enrichment and commit
 * included) against the bare Bun.serve JSON handler, same connections and duration.
 * R15: the web dashboard's full set of queries (top stats and the previous period, the chart,
 * every card) over 30 days of N page views, in-process through runWebQuery (server time, no
 * HTTP). The data is written with the writer's own flush code (createFlusher, the function the
 * writer thread runs), in big transactions, so 10M page views take minutes, not hours.
 * R16 (vs chdb) is skipped unless chdb is installed: it is not part of this run.
 */
export const WEB_DOMAIN = "bench-web.example";
export const WEB_ZONE = "Europe/Berlin";
const UA = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

export function trackBodies(count = 1000): string[] {
  return Array.from({ length: count }, (_, k) =>
    JSON.stringify({ n: "pageview", u: `https://${WEB_DOMAIN}/page/${k % 200}?utm_source=src${k % 7}`, d: WEB_DOMAIN, r: k % 3 ? "https://www.google.com/" : null, v: 36 }),
  );
}

export async function webTrackRound(rec: Recorder, o: { round: number; ours: Ours; bareUrl: string; connections: number; seconds: number }) {
  const bodies = trackBodies();
  const headers = { "content-type": "text/plain", "user-agent": UA };
  const runs: { key: string; label: string; target: Target }[] = [
    { key: "web.track.ours", label: "POST /api/event page views, ours (enrichment + commit)", target: { name: "ours", url: `${o.ours.url}/api/event`, headers } },
    { key: "web.track.bare", label: "the same bodies, bare Bun.serve JSON handler", target: { name: "bare", url: `${o.bareUrl}/api/event`, headers } },
  ];
  const order = o.round % 2 ? runs.reverse() : runs;
  for (const { key, label, target } of order) {
    const r = hasWrk()
      ? await runWrk({ url: target.url, headers: target.headers, bodies, connections: o.connections, seconds: o.seconds })
      : await singleRequests(target, bodies, o.connections, o.seconds * 1000);
    rec.add(key, r.rps, "req/s", label, `${o.connections} connections; one visitor (one client address), 200 pages, 7 sources`, { p50: r.p50, p99: r.p99 });
  }
}

// A deterministic PRNG, so every run writes the same data.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const DAY = 86_400_000;
const PAGES = 500;
const SOURCES: [string | null, string | null][] = [[null, null], ["Google", "google.com"], ["Hacker News", "news.ycombinator.com/item"], ["Twitter", "t.co"], ["newsletter", null], ["DuckDuckGo", "duckduckgo.com"], ["Bing", "bing.com"], ["blog.example.org", "blog.example.org/post"]];
const COUNTRIES = ["US", "DE", "GB", "FR", "IN", "BR", "CA", "NL", "SE", "JP", "AU", "ES", "IT", "PL", null];
const BROWSERS: [string, string, string][] = [["Chrome", "Windows", "Desktop"], ["Chrome", "Mac", "Laptop"], ["Safari", "iOS", "Mobile"], ["Firefox", "GNU/Linux", "Desktop"], ["Chrome", "Android", "Mobile"], ["Microsoft Edge", "Windows", "Desktop"], ["Safari", "Mac", "Laptop"]];

/** N page views over the 30 days before `end` (UTC midnight), about 2.5 per visit, written through the writer's flush. */
export async function writeWebData(n: number, end: number): Promise<{ dbPath: string; productId: string; seconds: number }> {
  const dir = tempDir("web-r15");
  const dbPath = join(dir, "litekpi.db");
  const db = openDatabase(dbPath, { sync: "normal" });
  await migrate(db.$client);
  const user = await createUser(db, { email: "web@example.com", password: "benchmark-password", verified: true }, Date.now());
  const product = createProduct(db, { ownerId: user.id, name: "bench web", timezone: WEB_ZONE }, Date.now());
  addDomain(db, product.id, WEB_DOMAIN, Date.now());
  // Setup data, not the measurement: no fsync (a crash here only means running the bench again).
  db.$client.exec("PRAGMA synchronous = OFF");
  const flusher = createFlusher(db.$client, { maxSeriesPerProduct: 1000 });
  const t0 = performance.now();
  const rand = rng(42);
  const start = end - 30 * DAY;
  const visits = Math.max(1, Math.round(n / 2)); // ~2 page views per visit
  let at = start;
  let written = 0;
  let pending: WebHit[] = [];
  // Visits in flight, as their remaining hits; emitted in time order through a small sorted queue.
  const queue: WebHit[] = [];
  const flushUpTo = (limit: number) => {
    queue.sort((a, b) => a.tsMs - b.tsMs);
    let k = 0;
    while (k < queue.length && queue[k]!.tsMs < limit) pending.push(queue[k++]!);
    queue.splice(0, k);
    if (pending.length >= 50_000) {
      const out = flusher.flush([{ seq: 1, batch: { kind: "web", productId: product.id, now: Date.now(), apiKeyId: null, idempotency: null, hits: pending, drops: [] } }]);
      if (!out[0]!.ok) throw new Error(`web bench flush failed: ${JSON.stringify(out[0])}`);
      pending = [];
    }
  };
  const visitorsPerDay = Math.max(1, Math.round(visits / 30 / 1.3));
  while (written < n) {
    // Spread by the page views written so far (with jitter), so the window is filled evenly whatever
    // the pages per visit turn out to be, and visit starts stay in time order.
    at = Math.max(at, start + ((written + rand() * 2) / n) * (end - start - 3_600_000));
    const day = Math.floor(at / DAY);
    const visitorId = day * 1_000_000 + Math.floor(rand() * visitorsPerDay);
    const pages = 1 + Math.floor(-Math.log(1 - rand()) * 1.5);
    const [source, referrer] = SOURCES[Math.floor(rand() * rand() * SOURCES.length)]!;
    const country = COUNTRIES[Math.floor(rand() * rand() * COUNTRIES.length)]!;
    const [browser, os, device] = BROWSERS[Math.floor(rand() * BROWSERS.length)]!;
    let t = Math.floor(at);
    for (let p = 0; p < pages && written < n; p++, written++) {
      const path = `/page/${Math.floor(rand() * rand() * PAGES)}`;
      const base = { visitorId, persistedId: null, hostname: WEB_DOMAIN, pathname: path, source, referrer, utmSource: source === "newsletter" ? "newsletter" : null, utmMedium: source === "newsletter" ? "email" : null, utmCampaign: null, utmContent: null, utmTerm: null, clickIds: null, country, region: null, device, browser, os, props: null, engagedMs: null, scrollDepth: null, revenue: null, interactive: true };
      queue.push({ ...base, tsMs: t, name: "pageview" });
      if (p === pages - 1 && rand() < 0.5) queue.push({ ...base, tsMs: t + 5_000, name: "engagement", engagedMs: Math.floor(rand() * 60_000), scrollDepth: Math.floor(rand() * 100) });
      if (rand() < 0.03) queue.push({ ...base, tsMs: t + 1_000, name: rand() < 0.5 ? "Signup" : "Download" });
      t += 20_000 + Math.floor(rand() * 120_000);
    }
    // Hits more than 30 minutes behind the newest visit start cannot be overtaken any more.
    if (queue.length > 50_000) flushUpTo(at - 30 * 60_000 * 2);
  }
  flushUpTo(Infinity);
  if (pending.length) flusher.flush([{ seq: 1, batch: { kind: "web", productId: product.id, now: Date.now(), apiKeyId: null, idempotency: null, hits: pending, drops: [] } }]);
  closeDatabase(db);
  return { dbPath, productId: product.id, seconds: (performance.now() - t0) / 1000 };
}

/** What the web dashboard asks for one view of a range: top stats now and before, the chart, every card. */
export function dashboardQueries(range: [string, string], previous: [string, string]) {
  const top = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "revenue", "rpv"];
  const card = (dimension: string, metrics = ["visitors"]) => ({ metrics, date_range: range, dimensions: [dimension], pagination: { limit: 10 }, include: { total_rows: true } });
  return [
    { metrics: top, date_range: range },
    { metrics: top, date_range: previous },
    { metrics: ["visitors", "pageviews"], date_range: range, dimensions: ["time:day"], include: { time_labels: true } },
    ...["visit:source", "visit:referrer", "visit:utm_source", "visit:utm_medium", "visit:utm_campaign", "visit:entry_page", "visit:exit_page", "visit:country", "visit:device", "visit:browser", "visit:os"].map((d) => card(d, ["visitors", "visits", "bounce_rate"])),
    card("event:page", ["visitors", "pageviews"]),
    card("event:goal", ["visitors", "events", "conversion_rate"]),
  ];
}

export async function webDashboardRound(rec: Recorder, o: { n: number; runs: number; data: { dbPath: string; productId: string } }) {
  const reader = openDatabase(o.data.dbPath, { readonly: true });
  try {
    const now = Date.UTC(2026, 5, 30, 12);
    const deps = { reader, clock: { now: () => now } };
    const queries = dashboardQueries(["2026-05-31", "2026-06-29"], ["2026-05-01", "2026-05-30"]);
    const totals: number[] = [];
    let pageviews = 0;
    for (let run = 0; run < o.runs + 1; run++) {
      const t = performance.now();
      for (const q of queries) {
        const a = runWebQuery(deps, o.data.productId, { site_id: WEB_DOMAIN, ...q });
        if (run === 0 && q === queries[0]) pageviews = a.results[0]!.metrics[2] as number;
      }
      if (run > 0) totals.push(performance.now() - t); // run 0 warms the page cache and statements
    }
    rec.add("web.dashboard.p95_ms", percentile(totals, 95), "ms", `web dashboard: ${queries.length} queries, 30 days, ${o.n.toLocaleString("en")} page views`, `in-process runWebQuery; ${o.runs} loads; ${pageviews.toLocaleString("en")} page views in the range (Berlin days)`);
  } finally {
    reader.$client.close();
  }
}

/** The web phase: R14 rounds against the running server, then R15 over N page views written in-process; R16 skipped. */
export async function webPhase(rec: Recorder, o: { ours: Ours; bareUrl: string; n: number; rounds: number; connections: number; seconds: number; runs: number; chdb: ChdbModule | null }) {
  const db = openDatabase(o.ours.dbPath, { sync: o.ours.sync });
  try {
    addDomain(db, o.ours.products.main!.id, WEB_DOMAIN, Date.now());
  } finally {
    closeDatabase(db);
  }
  const probe = await fetch(`${o.ours.url}/api/event`, { method: "POST", headers: { "content-type": "text/plain", "user-agent": UA }, body: trackBodies(1)[0] });
  if (probe.status === 404) rec.note("R14: POST /api/event not built yet — n/a");
  else for (let r = 0; r < o.rounds; r++) await webTrackRound(rec, { round: r, ours: o.ours, bareUrl: o.bareUrl, connections: o.connections, seconds: o.seconds });
  const data = await writeWebData(o.n, Date.UTC(2026, 5, 30));
  rec.add("web.r15.write_seconds", data.seconds, "s", `writing ${o.n.toLocaleString("en")} page views through the writer's flush (setup of R15)`, "in-process, synchronous=OFF");
  for (let r = 0; r < o.rounds; r++) await webDashboardRound(rec, { n: o.n, runs: o.runs, data });
  if (!o.chdb) return rec.note("R16: chdb is not installed (bun run bench --chdb installs it into bench/.peers) — n/a");
  const ch = new o.chdb.Session(tempDir("web-chdb"));
  const loadSeconds = loadWebIntoChdb(ch, data.dbPath);
  rec.note(`R16: chdb read ${o.n.toLocaleString("en")} page views from the SQLite file into MergeTree tables in ${loadSeconds.toFixed(1)} s`);
  const ours = ourTotals(data);
  for (let r = 0; r < o.rounds; r++) webChdbRound(rec, { ch, productId: data.productId, zone: WEB_ZONE, runs: o.runs, n: o.n, ours });
  ch.cleanup?.();
}

/** Our visits and page views of the R15 range, to check that ClickHouse read the same rows. */
function ourTotals(data: { dbPath: string; productId: string }) {
  const reader = openDatabase(data.dbPath, { readonly: true });
  try {
    const a = runWebQuery({ reader, clock: { now: () => Date.UTC(2026, 5, 30, 12) } }, data.productId, { site_id: WEB_DOMAIN, metrics: ["visits", "pageviews"], date_range: ["2026-05-31", "2026-06-29"] });
    const [visits, pageviews] = a.results[0]!.metrics as number[];
    return { visits: visits!, pageviews: pageviews! };
  } finally {
    reader.$client.close();
  }
}
