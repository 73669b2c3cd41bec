import { memoryOf, stopProcess, tempDir } from "../lib/procs";
import type { Recorder } from "../lib/report";
import { spawnServer } from "../systems/ours";

/** A fresh DATA_DIR each time: spawn → migrations → first /healthz 200, then idle RSS after 1 s. */
export async function startupRound(rec: Recorder) {
  const { proc, startMs } = await spawnServer(tempDir("startup"), "full");
  await Bun.sleep(1000);
  const rss = memoryOf(proc.pid)?.rssMb ?? NaN;
  await stopProcess(proc);
  rec.add("ours.start_ms", startMs, "ms", "spawn to /healthz 200 (fresh data dir, migrations included)", "bun src/main.ts");
  rec.add("ours.idle_rss_mb", rss, "MB", "idle RSS 1 s after start", "fresh data dir");
}
