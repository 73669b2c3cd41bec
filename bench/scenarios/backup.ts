import { rmSync } from "node:fs";
import { join } from "node:path";
import { ingestFor, type Encoded } from "../lib/load";
import { pinnedToServerCore, spawnTracked, tempDir } from "../lib/procs";
import type { Recorder } from "../lib/report";
import { REPO } from "../lib/rpc";
import { median } from "../lib/stats";
import { serverEnv, type Ours } from "../systems/ours";

/**
 * R23: batched ingest while `litekpi backup` (VACUUM INTO on its own connection, then
 * integrity_check of the copy) runs, against ingest alone. Per round: ingest alone for S seconds,
 * then ingest while backups of the whole database (every product the run has loaded) run back to
 * back for at least S seconds and until the last one ends. The backup is its own process on the
 * server core, as a cron job on the same machine would be. Ingest goes to its own product.
 */
export async function backupRound(rec: Recorder, o: { ours: Ours; source: Iterator<Encoded>; concurrency: number; seconds: number }) {
  const ms = o.seconds * 1000;
  const target = o.ours.ingestTarget("backup");
  const idle = await ingestFor(target, o.source, o.concurrency, ms);
  const dir = tempDir("backups");
  const runs: { tookMs: number; bytes: number }[] = [];
  const started = performance.now();
  const backups = (async () => {
    for (let i = 0; i === 0 || performance.now() - started < ms; i++) runs.push(await backupOnce(o.ours, join(dir, `b${i}.db`)));
  })();
  let done = false;
  void backups.finally(() => (done = true)).catch(() => {});
  let points = 0;
  while (!done) points += (await ingestFor(target, o.source, o.concurrency, 250)).points;
  await backups; // rethrows a failed backup
  const loadedMs = performance.now() - started;
  const note = `${o.seconds} s+ each, ${o.concurrency} ingest lanes; ${runs.length} backup(s) of ${(runs[0]!.bytes / 1e6).toFixed(1)} MB`;
  rec.add("backup.ingest.idle", idle.rate, "points/s", "batched ingest alone (backup phase)", note);
  rec.add("backup.ingest.during", (points / loadedMs) * 1000, "points/s", "batched ingest while litekpi backup runs", note);
  rec.add("backup.seconds", median(runs.map((r) => r.tookMs)) / 1000, "s", "litekpi backup (VACUUM INTO + integrity_check), during ingest", note);
  rec.add("backup.mb_per_s", runs[0]!.bytes / 1e6 / (median(runs.map((r) => r.tookMs)) / 1000), "MB/s", "backup throughput during ingest", note);
}

async function backupOnce(ours: Ours, file: string): Promise<{ tookMs: number; bytes: number }> {
  const proc = spawnTracked(pinnedToServerCore([process.execPath, "src/main.ts", "backup", "--to", file, "--json"]), { cwd: REPO, env: serverEnv(ours.dataDir, 0, ours.sync), stdout: "pipe" });
  const out = await new Response(proc.stdout as ReadableStream).text();
  if ((await proc.exited) !== 0) throw new Error(`litekpi backup exited ${proc.exitCode}`);
  rmSync(file, { force: true });
  return JSON.parse(out) as { tookMs: number; bytes: number };
}

/** The batches `make()` yields, from the start again whenever they run out. */
export function cyclingSource(make: () => Iterator<Encoded>): Iterator<Encoded> {
  let it = make();
  return {
    next() {
      let r = it.next();
      if (r.done) (it = make()), (r = it.next());
      return r;
    },
  };
}
