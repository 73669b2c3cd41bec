import { startWorker } from "../lib/rpc";
import type { Recorder } from "../lib/report";
import { tempDir } from "../lib/procs";
import { join } from "node:path";
import { rows, timeRuns, type ChdbModule } from "../lib/chdb";

/**
 * R17: a 4-step funnel over 30 days of N events (10M with --full), median server time of
 * `runFunnel`, and ClickHouse's windowFunnel on the same rows when chdb is installed
 * (it is not a dependency); without it the row prints n/a.
 */
export async function funnelRound(rec: Recorder, o: { events: number; runs: number; chdb: ChdbModule | null }) {
  const dir = tempDir("funnel");
  const worker = await startWorker("funnel.ts", { DIR: dir, EVENTS: String(o.events) });
  let steps: number[] = [];
  try {
    const res = await worker.call<{ ms: number; steps: number[]; loadSeconds: number }>({ runs: o.runs });
    steps = res.steps;
    rec.add("funnel.ours_ms", res.ms, "ms", `4-step funnel, 30 days, ${o.events.toLocaleString("en")} events`, `steps ${res.steps.join(" → ")}; median of ${o.runs}; bulk load ${res.loadSeconds.toFixed(1)} s`);
  } finally {
    await worker.stop();
  }
  if (!o.chdb) return rec.note("R17: chdb is not installed (bun run bench --chdb installs it into bench/.peers) — n/a");
  const ch = new o.chdb.Session(tempDir("funnel-chdb"));
  try {
    const t0 = performance.now();
    ch.query(`CREATE TABLE ev ENGINE = MergeTree ORDER BY (product_id, ts_ms) AS SELECT product_id, toUInt64(ts_ms) AS ts_ms, name, user_id, properties FROM sqlite('${join(dir, "funnel.db")}', 'events')`);
    rec.note(`R17: chdb read ${o.events.toLocaleString("en")} events from the SQLite file in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The worker's funnel: view → pricing → signup → purchase with plan=pro, per user, 7-day window, September 2025
    // (UTC); strict_increase: two events of one instant never chain, as in ours.
    const sql = `SELECT level, count() FROM (
        SELECT user_id, windowFunnel(${7 * 86_400_000}, 'strict_increase')(ts_ms, name = 'view', name = 'pricing', name = 'signup',
          name = 'purchase' AND JSONExtractString(properties, 'plan') = 'pro') AS level
        FROM ev WHERE product_id = 'bench-funnel' AND ts_ms >= ${Date.UTC(2025, 8, 1)} AND ts_ms < ${Date.UTC(2025, 9, 1)} GROUP BY user_id)
      GROUP BY level ORDER BY level`;
    const { median } = timeRuns(o.runs, () => ch.query(sql, "JSONCompact"));
    const byLevel = new Map(rows(ch.query(sql, "JSONCompact")).map((r) => [Number(r[0]), Number(r[1])]));
    const reached = [1, 2, 3, 4].map((k) => [...byLevel].reduce((sum, [level, users]) => sum + (level >= k ? users : 0), 0));
    const same = reached.every((v, i) => v === steps[i]) ? "equal to ours" : `ours ${steps.join(" → ")}`;
    rec.add("funnel.chdb_ms", median, "ms", "the same funnel with ClickHouse windowFunnel on chdb", `steps ${reached.join(" → ")} (${same}); median of ${o.runs}`);
  } finally {
    ch.cleanup?.();
  }
}
