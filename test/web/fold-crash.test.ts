import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { BUN, REPO, freePort, waitForHttp } from "../helpers/process";
import { startTestServer, tempDir } from "../helpers/server";
import { makeSite, sendPlausible, CHROME_UA, FIREFOX_UA } from "./support";

/**
 * Page views are answered 202 once their raw rows are committed; the pre-aggregates take them in
 * a moment later, from the fold journal (src/writer/web/journal.ts). Here the server folds only
 * every hour (WEB_FOLD_MS), is SIGKILLed right after the last 202, and is started again on the
 * same files: every page view is counted exactly once — none lost with the journal, none counted
 * twice by a second restart.
 */
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

const PAGES = ["/", "/pricing", "/docs", "/blog/one", "/blog/two"];

function spawnServer(dataDir: string, port: number) {
  const proc = Bun.spawn([BUN, "src/main.ts"], {
    cwd: REPO,
    env: { ...process.env, DATA_DIR: dataDir, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", WEB_FOLD_MS: "3600000", RATE_LIMIT_TRACK_PER_IP_RPS: "1000000" },
    stdout: "ignore",
    stderr: "inherit",
  });
  cleanups.push(() => proc.kill("SIGKILL"));
  return proc;
}

const journalRows = (dataDir: string) => {
  const db = new Database(join(dataDir, "litekpi.db"), { readonly: true });
  try {
    return {
      journal: (db.query("SELECT count(*) AS n FROM web_fold_journal").get() as { n: number }).n,
      hits: (db.query("SELECT count(*) AS n FROM web_events").get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
};

test("SIGKILL after the 202s: after the restart every page view is counted once", async () => {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const setup = await startTestServer({ dataDir: dir.path });
  const site = await makeSite(setup.deps);
  await setup.stop();

  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const first = spawnServer(dir.path, port);
  await waitForHttp(`${base}/healthz`, 30_000);
  // Two visitors (two browsers from one address), 5 pages, sources from the landing URL.
  const sent: { ua: string; page: string; source: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const ua = i % 2 ? FIREFOX_UA : CHROME_UA;
    const page = PAGES[i % PAGES.length]!;
    const source = i % 2 ? "newsletter" : "hn";
    sent.push({ ua, page, source });
    const res = await sendPlausible(base, { n: "pageview", u: `https://${site.domain}${page}?utm_source=${source}`, d: site.domain, r: null }, { ua });
    expect(res.status).toBe(202);
  }
  first.kill("SIGKILL");
  await first.exited;
  const atKill = journalRows(dir.path);
  expect(atKill.hits).toBe(40); // every 202 was committed
  expect(atKill.journal).toBeGreaterThan(0); // and the aggregates had not taken them in yet

  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  const range = [yesterday, tomorrow];
  const answers = async () => {
    const query = async (body: Record<string, unknown>) => {
      const res = await fetch(`${base}/api/v2/query`, { method: "POST", headers: { Authorization: `Bearer ${site.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ site_id: site.domain, date_range: range, ...body }) });
      expect(res.status).toBe(200);
      return ((await res.json()) as { results: { dimensions: string[]; metrics: number[] }[] }).results;
    };
    return {
      top: await query({ metrics: ["visitors", "visits", "pageviews", "bounce_rate"] }),
      pages: await query({ metrics: ["visitors", "pageviews"], dimensions: ["event:page"], order_by: [["event:page", "asc"]] }),
      sources: await query({ metrics: ["visitors", "visits"], dimensions: ["visit:source"], order_by: [["visit:source", "asc"]] }),
    };
  };
  const perPage = PAGES.map((page) => ({ page, views: sent.filter((s) => s.page === page) })).sort((a, b) => (a.page < b.page ? -1 : 1));
  const expected = {
    top: [{ dimensions: [], metrics: [2, 2, 40, 0] }],
    pages: perPage.map(({ page, views }) => ({ dimensions: [page], metrics: [new Set(views.map((v) => v.ua)).size, views.length] })),
    sources: [
      { dimensions: ["hn"], metrics: [1, 1] },
      { dimensions: ["newsletter"], metrics: [1, 1] },
    ],
  };

  // Started again: the journal left by the kill is folded at start-up.
  const second = spawnServer(dir.path, port);
  await waitForHttp(`${base}/healthz`, 30_000);
  expect(await answers()).toEqual(expected);
  second.kill("SIGTERM");
  await second.exited;
  expect(journalRows(dir.path)).toEqual({ journal: 0, hits: 40 });

  // A third start finds nothing to fold: nothing is counted twice.
  const third = spawnServer(dir.path, port);
  await waitForHttp(`${base}/healthz`, 30_000);
  expect(await answers()).toEqual(expected);
  third.kill("SIGTERM");
  await third.exited;
}, 120_000);
