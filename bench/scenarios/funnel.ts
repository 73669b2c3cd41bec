import { startWorker } from "../lib/rpc";
import type { Recorder } from "../lib/report";
import { tempDir } from "../lib/procs";

/**
 * R17: a 4-step funnel over 30 days of N events (10M with --full), median server time of
 * `runFunnel`. ClickHouse's windowFunnel on the same data runs only when chdb is installed
 * (it is not a dependency); without it the row prints n/a.
 */
export async function funnelRound(rec: Recorder, o: { events: number; runs: number }) {
  const dir = tempDir("funnel");
  const worker = await startWorker("funnel.ts", { DIR: dir, EVENTS: String(o.events) });
  try {
    const res = await worker.call<{ ms: number; steps: number[]; loadSeconds: number }>({ runs: o.runs });
    rec.add("funnel.ours_ms", res.ms, "ms", `4-step funnel, 30 days, ${o.events.toLocaleString("en")} events`, `steps ${res.steps.join(" → ")}; median of ${o.runs}; bulk load ${res.loadSeconds.toFixed(1)} s`);
  } finally {
    await worker.stop();
  }
  rec.note("R17: ClickHouse windowFunnel via chdb not installed (npm install --no-save chdb@3.4.0 inside bench/) — n/a");
}
