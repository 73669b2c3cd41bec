import { parseLocalDate, startOfLocalDate } from "../../src/lib/time/dates";
import { rows, timeRuns, type ChdbSession } from "../lib/chdb";
import type { Recorder } from "../lib/report";

/**
 * R16: the web dashboard's queries (bench/scenarios/web.ts dashboardQueries: top stats now and
 * before, the daily chart, eleven visit cards, pages, goals) as ClickHouse SQL over the same
 * visits and hits, read by ClickHouse from our SQLite file into MergeTree tables ordered by
 * (product, time) — the layout Plausible keeps its sessions and events in. Visitors are
 * uniqExact, as ours are exact; the first load warms ClickHouse's caches as ours does.
 */
const VISIT_DIMS: [string, string][] = [
  ["visit:source", "source"],
  ["visit:referrer", "referrer"],
  ["visit:utm_source", "utm_source"],
  ["visit:utm_medium", "utm_medium"],
  ["visit:utm_campaign", "utm_campaign"],
  ["visit:entry_page", "entry_page"],
  ["visit:exit_page", "exit_page"],
  ["visit:country", "country"],
  ["visit:device", "device"],
  ["visit:browser", "browser"],
  ["visit:os", "os"],
];
const BOUNCE = "pageviews <= 1 AND events = 0 AND engaged_ms < 10000";

export function loadWebIntoChdb(ch: ChdbSession, dbPath: string): number {
  const t0 = performance.now();
  ch.query("DROP TABLE IF EXISTS visits");
  ch.query("DROP TABLE IF EXISTS hits");
  ch.query(`CREATE TABLE visits ENGINE = MergeTree PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(start_ms)) ORDER BY (product_id, start_ms)
    AS SELECT * FROM sqlite('${dbPath}', 'web_sessions')`);
  ch.query(`CREATE TABLE hits ENGINE = MergeTree PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts_ms)) ORDER BY (product_id, ts_ms)
    AS SELECT * FROM sqlite('${dbPath}', 'web_events')`);
  return (performance.now() - t0) / 1000;
}

/** The same sixteen questions as dashboardQueries, for one product and two Berlin date ranges. */
export function chdbDashboardSql(productId: string, zone: string, range: [string, string], previous: [string, string]): string[] {
  const bounds = ([a, b]: [string, string]) => {
    const from = startOfLocalDate(parseLocalDate(a)!, zone);
    const next = parseLocalDate(b)!;
    const to = startOfLocalDate({ ...next, d: next.d + 1 }, zone); // wallMs carries past the month end
    return { from, to };
  };
  const cur = bounds(range);
  const prev = bounds(previous);
  const visitsIn = (r: { from: number; to: number }) => `product_id = '${productId}' AND start_ms >= ${r.from} AND start_ms < ${r.to}`;
  const hitsIn = (r: { from: number; to: number }) => `product_id = '${productId}' AND ts_ms >= ${r.from} AND ts_ms < ${r.to}`;
  const top = (r: { from: number; to: number }) =>
    `SELECT uniqExact(visitor_id), count(), (SELECT countIf(name = 'pageview') FROM hits WHERE ${hitsIn(r)}), round(100 * countIf(${BOUNCE}) / count()), round(avg(last_active_ms - start_ms + tail_engaged_ms) / 1000)
     FROM visits WHERE ${visitsIn(r)}`;
  const card = (column: string) =>
    `SELECT ${column} AS v, uniqExact(visitor_id) AS u, count(), round(100 * countIf(${BOUNCE}) / count()), count() OVER () AS total_rows
     FROM visits WHERE ${visitsIn(cur)} AND ${column} IS NOT NULL GROUP BY v ORDER BY u DESC, v LIMIT 10`;
  return [
    top(cur),
    top(prev),
    `SELECT toDate(fromUnixTimestamp64Milli(ts_ms), '${zone}') AS d, uniqExact(visitor_id), countIf(name = 'pageview') FROM hits WHERE ${hitsIn(cur)} GROUP BY d ORDER BY d`,
    ...VISIT_DIMS.map(([, column]) => card(column)),
    `SELECT pathname AS v, uniqExact(visitor_id) AS u, count(), count() OVER () FROM hits WHERE ${hitsIn(cur)} AND name = 'pageview' GROUP BY v ORDER BY u DESC, v LIMIT 10`,
    `WITH (SELECT uniqExact(visitor_id) FROM hits WHERE ${hitsIn(cur)}) AS all_visitors
     SELECT name AS v, uniqExact(visitor_id) AS u, count(), round(100 * u / all_visitors, 1), count() OVER () FROM hits
     WHERE ${hitsIn(cur)} AND name NOT IN ('pageview', 'engagement', 'identify') GROUP BY v ORDER BY u DESC, v LIMIT 10`,
  ];
}

export function webChdbRound(rec: Recorder, o: { ch: ChdbSession; productId: string; zone: string; runs: number; n: number; ours: { visits: number; pageviews: number } }) {
  const sql = chdbDashboardSql(o.productId, o.zone, ["2026-05-31", "2026-06-29"], ["2026-05-01", "2026-05-30"]);
  const { p95 } = timeRuns(o.runs, () => {
    for (const q of sql) o.ch.query(q, "JSONCompact");
  });
  const [visitors, visits, pageviews] = rows(o.ch.query(sql[0]!, "JSONCompact"))[0]!.map(Number);
  const same = visits === o.ours.visits && pageviews === o.ours.pageviews ? "visits and page views equal ours" : `ours ${o.ours.visits} visits, ${o.ours.pageviews} page views`;
  rec.add("web.dashboard.chdb_p95_ms", p95, "ms", `the same ${sql.length} queries on chdb (ClickHouse embedded), raw visits and hits`, `${o.runs} loads; ClickHouse: ${visitors} visitors, ${visits} visits, ${pageviews} page views (${same})`);
}
