import { ingest } from "../lib/load";
import type { PointFn } from "../lib/points";
import { toOurJson } from "../lib/points";
import type { Recorder } from "../lib/report";
import { repeat } from "../lib/load";
import { startOurs } from "../systems/ours";
import { encoded } from "./ingest";
import { hourly30, ourQuery } from "./queries";
import { chdbAvailable } from "../../src/storage/clickhouse/chdb";

/**
 * R24: the same batched ingest and the same 30-day hourly query with STORAGE=sqlite and with
 * STORAGE=chdb (embedded ClickHouse), each on a fresh server of its own. Reported side by side:
 * the point is that one flag changes engines; embedded ClickHouse on one core is not expected to
 * beat SQLite. Skipped with a printed line where chdb is not installed.
 */
export async function enginesRound(rec: Recorder, o: { point: PointFn; n: number; batch: number; concurrency: number; runs: number }) {
  if (!chdbAvailable()) return rec.note("R24 (STORAGE=chdb vs sqlite): chdb not installed (npm install --no-save chdb@3.4.0) — n/a");
  for (const engine of ["sqlite", "chdb"] as const) {
    const ours = await startOurs({ sync: "full", products: ["engine"], env: { STORAGE: engine } });
    try {
      const t0 = performance.now();
      const { points } = await ingest(ours.ingestTarget("engine"), encoded(o.point, 0, o.n, o.batch, toOurJson), o.concurrency);
      const ms = performance.now() - t0;
      rec.add(`engines.ingest.${engine}`, (points / ms) * 1000, "points/s", `batched ingest over HTTP, STORAGE=${engine}`, `${o.n.toLocaleString("en")} points, ${o.concurrency} lanes, synchronous=FULL`);
      const probe = await ourQuery(ours, "engine", hourly30());
      if (!probe) throw new Error(`STORAGE=${engine}: the hourly query answered nothing`);
      const r = await repeat(() => ourQuery(ours, "engine", hourly30()), o.runs);
      rec.add(`engines.hourly30.${engine}`, r.p50, "ms", `30-day hourly sum over HTTP, STORAGE=${engine}`, `${o.n.toLocaleString("en")} points, 720 buckets, median of ${r.n}`);
    } finally {
      await ours.stop();
    }
  }
}
