import { ingestFor, type Encoded, type Target } from "../lib/load";
import type { Recorder } from "../lib/report";
import { startWorker } from "../lib/rpc";
import { tempDir } from "../lib/procs";
import { median } from "../lib/stats";

/**
 * R20: 1,000 alert rules over 100 metrics evaluated in one tick of the real job. The app runs in
 * one bench worker process (bench/workers/alerts-server.ts) on the server core, so a tick and
 * the ingestion requests share its JavaScript thread as in `litekpi`. Per round: ticks alone
 * (their CPU time: the process's user + system time over the tick, writer thread included), then
 * ingest alone for S seconds, then ingest while ticks run back to back for S seconds.
 */
export async function alertsRound(rec: Recorder, o: { metrics: number; rulesPerMetric: number; source: () => Iterator<Encoded>; concurrency: number; seconds: number; rounds: number }) {
  const worker = await startWorker("alerts-server.ts", { DIR: tempDir("alerts") });
  try {
    const setup = await worker.call<{ url: string; ingestKey: string; rules: number }>({ setup: { metrics: o.metrics, rulesPerMetric: o.rulesPerMetric } });
    const target: Target = { name: "ours (alerts worker)", url: `${setup.url}/api/v1/points`, headers: { Authorization: `Bearer ${setup.ingestKey}`, "Content-Type": "application/json" } };
    const note = `${setup.rules} rules over ${o.metrics} metrics (thresholds, averages, z-score, rolling mean, seasonal); ${o.concurrency} ingest lanes, ${o.seconds} s`;
    for (let r = 0; r < o.rounds; r++) {
      const alone = await worker.call<{ ticks: { cpuMs: number; wallMs: number }[]; failedRules: number }>({ ticks: { ms: 1000 } });
      if (alone.failedRules) rec.note(`R20: ${alone.failedRules} rules failed to evaluate`);
      rec.add("alerts.tick_cpu_s", median(alone.ticks.map((t) => t.cpuMs)) / 1000, "s", `one alert tick: CPU time (${setup.rules} rules)`, note);
      rec.add("alerts.tick_wall_s", median(alone.ticks.map((t) => t.wallMs)) / 1000, "s", `one alert tick: wall time (${setup.rules} rules)`, note);
      const source = o.source();
      const idle = await ingestFor(target, source, o.concurrency, o.seconds * 1000);
      const ticking = worker.call({ ticks: { ms: o.seconds * 1000 } });
      let done = false;
      void ticking.finally(() => (done = true)).catch(() => {});
      const t0 = performance.now();
      let points = 0;
      while (!done) points += (await ingestFor(target, source, o.concurrency, 250)).points;
      await ticking;
      rec.add("alerts.ingest.idle", idle.rate, "points/s", "batched ingest alone (alerts phase)", note);
      rec.add("alerts.ingest.during", (points / (performance.now() - t0)) * 1000, "points/s", "batched ingest while alert ticks run back to back", note);
    }
  } finally {
    await worker.stop();
  }
}
