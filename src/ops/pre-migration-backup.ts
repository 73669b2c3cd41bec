import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { pendingMigrations } from "../db/migrate";
import type { Logger } from "../lib/log";
import { backupDatabase, type BackupResult } from "./backup";
import { automaticBackupDir, fileStamp } from "./files";

/**
 * Before migrations change an existing database, a copy of it as it was goes to
 * DATA_DIR/backups/pre-migration-<time>.db — the way back if a migration goes wrong. A new,
 * empty database (first start) has nothing to keep. A backup that fails stops start-up: better
 * no migration than one without a way back.
 */
export async function backupBeforeMigrations(sqlite: Database, dataDir: string, now: number, log: Logger): Promise<BackupResult | null> {
  const { pending, existing } = await pendingMigrations(sqlite);
  if (!existing || !pending.length) return null;
  const result = backupDatabase(sqlite, join(automaticBackupDir(dataDir), `pre-migration-${fileStamp(now)}.db`));
  log.info("backup before migrations", { ...result, pending });
  return result;
}
