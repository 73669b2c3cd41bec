import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "../lib/errors";
import { inspectDatabaseFile } from "./backup";
import { databasePath, fsyncDir, fsyncPath } from "./files";
import { acquireServerLock, type ServerLock } from "./server-lock";

export type RestoreResult = { file: string; from: string; bytes: number; previous: string | null; migrations: number };

/**
 * `litekpi restore --from FILE`, with the server stopped. Order matters, so that a refusal
 * changes nothing: (1) copy FILE beside the database and check the copy (integrity_check,
 * LiteKPI's tables); (2) take the server lock (src/ops/server-lock.ts): a running server holds
 * it, so restore refuses at once, and no server can start until the restore is done; (3)
 * checkpoint the current database so its WAL is inside it, hard-link it as
 * litekpi.db.before-restore, drop the stale -wal/-shm, and rename the copy over litekpi.db —
 * one atomic rename, so there is never a moment without a database file.
 */
export function restoreDatabase(dataDir: string, from: string): RestoreResult {
  const source = resolve(from);
  if (!existsSync(source) || !statSync(source).isFile()) throw new AppError(404, "no_backup", `No backup file at ${source}. Nothing was changed.`);
  mkdirSync(dataDir, { recursive: true });
  const dbPath = databasePath(dataDir);
  const tmp = join(dataDir, `.litekpi.db.restore-${process.pid}.tmp`);
  let lock: ServerLock | null = null;
  try {
    copyFileSync(source, tmp);
    const check = inspectDatabaseFile(tmp);
    if (!check.ok) throw new AppError(422, "invalid_backup", `Refusing to restore ${source}: ${check.problem}. Nothing was changed.`);
    fsyncPath(tmp);
    lock = acquireServerLock(dataDir);
    if (!lock) throw inUse(dbPath);
    let previous: string | null = null;
    if (existsSync(dbPath)) {
      checkpointAway(dbPath);
      previous = `${dbPath}.before-restore`;
      rmSync(previous, { force: true });
      linkSync(dbPath, previous);
    }
    // A -wal left beside the old file would be replayed into the restored one.
    for (const suffix of ["-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
    renameSync(tmp, dbPath);
    fsyncDir(dataDir);
    return { file: dbPath, from: source, bytes: statSync(dbPath).size, previous, migrations: check.migrations };
  } finally {
    lock?.release();
    rmSync(tmp, { force: true });
  }
}

const inUse = (dbPath: string) =>
  new AppError(409, "server_running", `${dbPath} is in use by a running LiteKPI server; stop the server first, then restore. Nothing was changed.`);

/**
 * Moves everything in the WAL into the database file (TRUNCATE empties the WAL). busy_timeout 0:
 * a connection in a transaction right now (a CLI command) makes it answer busy, and we stop.
 */
function checkpointAway(dbPath: string) {
  const db = new Database(dbPath, { readwrite: true, create: false });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    const row = db.query("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number } | null;
    if (row?.busy) throw inUse(dbPath);
  } finally {
    db.close();
  }
}
