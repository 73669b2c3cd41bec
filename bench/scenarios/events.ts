import { createWriteQueue } from "../../src/writer/queue";
import { systemClock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import type { EventRecord } from "../../src/writer/batch";
import type { Recorder } from "../lib/report";
import { startOurs } from "../systems/ours";
import { rows, timeRuns, type ChdbModule } from "../lib/chdb";
import type { Retention } from "../../src/insights/retention";
import { tempDir } from "../lib/procs";

/**
 * R18: `POST /api/v1/metrics/query` distinct `user_id` by day over 30 days of N events (the run's
 * point count; `--points 10000000` for the goal's 10M), p95 over `runs` queries. The events are
 * loaded through the real write path in-process (write queue → writer thread → flush: events,
 * `event:<name>` series, user-day rows), 1000 per batch and 4 lanes, not over HTTP — the
 * HTTP ingest rate is R1's business; this loads 10M events in about a minute.
 * Users are skewed (a few heavy, many occasional), like real products: 100k of them.
 * R19: the same question to ClickHouse (chdb, when installed) over the same events, which it
 * reads from our SQLite file into a MergeTree table ordered by (product, time).
 */
const DAY = 86_400_000;
const USERS = 100_000;
const NAMES = ["page_view", "click", "signup", "purchase", "api_request"];

export async function eventsRound(rec: Recorder, o: { n: number; runs: number; chdb: ChdbModule | null }) {
  const ours = await startOurs({ sync: "normal", products: ["events"] });
  try {
    const product = ours.products.events!;
    const end = Math.floor(Date.now() / DAY) * DAY;
    const start = end - 30 * DAY;
    const t0 = performance.now();
    await load(ours.dbPath, product.id, o.n, start, end);
    const loadSeconds = (performance.now() - t0) / 1000;
    rec.add("events.load_per_s", o.n / loadSeconds, "events/s", "events loaded through the write queue in-process", `${o.n.toLocaleString("en")} events over 30 days`);

    const body = { metric: "dau", aggregation: "distinct", aggregationField: "user_id", groupBy: ["day"], timezone: "UTC", filter: { timeRange: { start: new Date(start).toISOString(), end: new Date(end).toISOString() } } };
    const ask = async (b: unknown) => {
      const q0 = performance.now();
      const res = await fetch(`${ours.url}/api/v1/metrics/query`, { method: "POST", headers: ours.readHeaders("events"), body: JSON.stringify(b) });
      const json = (await res.json()) as { value: Record<string, number> };
      if (!res.ok) throw new Error(`metrics/query: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      return { ms: performance.now() - q0, value: json.value };
    };
    const first = await ask(body);
    const times: number[] = [];
    for (let i = 0; i < o.runs; i++) times.push((await ask(body)).ms);
    times.sort((a, b) => a - b);
    const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!;
    rec.add("events.dau30.ours", p95, "ms", "metrics/query distinct user_id by day, 30 days: p95", `${o.n.toLocaleString("en")} events, ${o.runs} queries, ${Object.keys(first.value).length} days`);
    // The same answer from a raw scan (a namespace filter the rows cannot answer): the check, and
    // what the user-day rows save. Skipped past 2M events, where one scan takes tens of seconds.
    if (o.n <= 2_000_000) {
      const scanned = await ask({ ...body, filter: { ...body.filter, namespace: "app" } });
      if (JSON.stringify(scanned.value) !== JSON.stringify(first.value)) throw new Error("R18: user-day rows and the raw scan disagree");
      rec.add("events.dau30.scan", scanned.ms, "ms", "the same from a raw scan of events (check)", "namespace filter forces the scan");
    }
    // Weekly retention cohorts over the same 30 days (POST /api/v1/insights/retention).
    const askRetention = async () => {
      const q0 = performance.now();
      const res = await fetch(`${ours.url}/api/v1/insights/retention`, { method: "POST", headers: ours.readHeaders("events"), body: JSON.stringify({ period: "week", timezone: "UTC", filter: body.filter }) });
      const json = (await res.json()) as Retention;
      if (!res.ok) throw new Error(`insights/retention: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
      return { ms: performance.now() - q0, value: json };
    };
    const matrix = (await askRetention()).value;
    const rtimes: number[] = [];
    for (let i = 0; i < o.runs; i++) rtimes.push((await askRetention()).ms);
    rtimes.sort((a, b) => a - b);
    const rp95 = rtimes[Math.min(rtimes.length - 1, Math.ceil(rtimes.length * 0.95) - 1)]!;
    rec.add("events.retention.ours", rp95, "ms", "insights/retention, weekly cohorts over 30 days: p95", `${o.n.toLocaleString("en")} events, ${o.runs} queries, ${matrix.cohorts.length} cohorts`);
    if (!o.chdb) rec.note("R19: chdb is not installed (bun run bench --chdb installs it into bench/.peers) — n/a");
    else onChdb(rec, { chdb: o.chdb, dbPath: ours.dbPath, productId: product.id, start, end, runs: o.runs, n: o.n, dau: first.value, retention: matrix });
  } finally {
    await ours.stop();
  }
}

async function load(dbPath: string, productId: string, n: number, start: number, end: number) {
  const queue = createWriteQueue({ init: { dbPath, sync: "normal", maxSeriesPerProduct: 1_000_000, logLevel: "warn" }, clock: systemClock, log: createLogger("warn"), onFatal: () => process.exit(70) });
  await queue.start();
  let next = 0;
  // A small deterministic generator (xorshift), so runs load the same events.
  let x = 0x2545f491;
  const rand = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 4294967296);
  const lane = async () => {
    while (next < n) {
      const from = next;
      const to = Math.min(n, from + 1000);
      next = to;
      const batch: EventRecord[] = [];
      for (let i = from; i < to; i++) {
        const user = "u" + Math.floor(rand() ** 3 * USERS);
        const name = NAMES[i % NAMES.length]!;
        batch.push({
          name, namespace: "app", tsMs: start + Math.floor(((i + rand()) / n) * (end - start)), id: null, userId: user, sessionId: null, visitorId: null,
          properties: `{"plan":"${rand() < 0.2 ? "pro" : "free"}","amount":${Math.floor(rand() * 100)}}`, context: `{"user_id":"${user}"}`,
        });
      }
      await queue.submitEvents(productId, batch);
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  await queue.close();
}

function onChdb(rec: Recorder, o: { chdb: ChdbModule; dbPath: string; productId: string; start: number; end: number; runs: number; n: number; dau: Record<string, number>; retention: Retention }) {
  const ch = new o.chdb.Session(tempDir("events-chdb"));
  try {
    const t0 = performance.now();
    ch.query(`CREATE TABLE ev ENGINE = MergeTree PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts_ms)) ORDER BY (product_id, ts_ms)
      AS SELECT product_id, ts_ms, name, user_id FROM sqlite('${o.dbPath}', 'events')`);
    rec.note(`R19: chdb read ${o.n.toLocaleString("en")} events from the SQLite file in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const sql = `SELECT toDate(fromUnixTimestamp64Milli(ts_ms), 'UTC') AS d, uniqExact(user_id) FROM ev
      WHERE product_id = '${o.productId}' AND ts_ms >= ${o.start} AND ts_ms < ${o.end} AND user_id IS NOT NULL GROUP BY d ORDER BY d`;
    const { p95 } = timeRuns(o.runs, () => ch.query(sql, "JSONCompact"));
    const theirs = rows(ch.query(sql, "JSONCompact"));
    const ours = Object.values(o.dau);
    const same = theirs.length === ours.length && theirs.every((r, i) => Number(r[1]) === ours[i]);
    rec.add("events.dau30.chdb", p95, "ms", "the same distinct users by day on chdb (ClickHouse embedded, uniqExact)", `${o.runs} queries; ${same ? "every day equals ours" : "answers DIFFER from ours"}`);
    // Cohort = the Monday-week of a user's first event ever; k = weeks from it to each later event.
    const inRange = `product_id = '${o.productId}' AND user_id IS NOT NULL`;
    const retentionSql = `WITH firsts AS (SELECT user_id, min(ts_ms) AS f FROM ev WHERE ${inRange} GROUP BY user_id)
      SELECT toMonday(fromUnixTimestamp64Milli(f, 'UTC')) AS cohort, intDiv(dateDiff('day', cohort, toMonday(fromUnixTimestamp64Milli(ev.ts_ms, 'UTC'))), 7) AS k, uniqExact(ev.user_id)
      FROM ev INNER JOIN firsts USING user_id
      WHERE ${inRange} AND f >= ${o.start} AND f < ${o.end} AND ev.ts_ms >= ${o.start} AND ev.ts_ms < ${o.end}
      GROUP BY cohort, k ORDER BY cohort, k`;
    const r = timeRuns(o.runs, () => ch.query(retentionSql, "JSONCompact"));
    const cells = new Map(rows(ch.query(retentionSql, "JSONCompact")).map((row) => [`${row[0]}/${row[1]}`, Number(row[2])]));
    const mismatches = o.retention.cohorts.flatMap((c) => c.retained.map((n, k) => ((cells.get(`${c.cohort}/${k}`) ?? 0) === n ? 0 : 1))).reduce((a: number, b: number) => a + b, 0);
    rec.add("events.retention.chdb", r.p95, "ms", "the same weekly retention cohorts on chdb (uniqExact per cohort and week)", `${o.runs} queries; ${mismatches ? `${mismatches} cells DIFFER from ours` : "every cell equals ours"}`);
  } finally {
    ch.cleanup?.();
  }
}
