import { join } from "node:path";
import type { Deps } from "../deps";
import { workerUrl } from "../lib/assets";
import type { BackupResult } from "./backup";
import { databasePath, fileStamp, pruneBackups } from "./files";

export const SCHEDULED_PREFIX = "backup-";

/**
 * The scheduled backup (job "ops.backup"): BACKUP_DIR/backup-<time>.db, then only the newest
 * BACKUP_KEEP of them stay. Nothing to do when BACKUP_DIR is unset. Pruning runs only after a
 * good backup, so a failing backup never eats the older ones.
 */
export async function runScheduledBackup(deps: Pick<Deps, "config" | "clock">): Promise<(BackupResult & { pruned: string[] }) | null> {
  const dir = deps.config.backupDir;
  if (!dir) return null;
  const file = join(dir, `${SCHEDULED_PREFIX}${fileStamp(deps.clock.now())}.db`);
  const result = await backupInWorker(databasePath(deps.config.dataDir), file);
  return { ...result, pruned: pruneBackups(dir, SCHEDULED_PREFIX, deps.config.backupKeep) };
}

function backupInWorker(dbPath: string, file: string): Promise<BackupResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl("ops/backup-thread.ts"));
    const done = (fn: () => void) => {
      worker.terminate();
      fn();
    };
    worker.onmessage = (event: MessageEvent<{ ok: true; result: BackupResult } | { ok: false; message: string }>) => {
      const msg = event.data;
      done(() => (msg.ok ? resolve(msg.result) : reject(new Error(`backup to ${file} failed: ${msg.message}`))));
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      done(() => reject(new Error(`backup to ${file} failed: ${event.message}`)));
    };
    worker.postMessage({ dbPath, file });
  });
}
