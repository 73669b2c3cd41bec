import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { AppError } from "../lib/errors";
import { inspectDatabaseFile } from "./backup";
import { databasePath, fsyncDir, fsyncPath } from "./files";

export type RestoreResult = { file: string; from: string; bytes: number; previous: string | null; migrations: number };

/**
 * `litekpi restore --from FILE`, with the server stopped. Order matters, so that a refusal
 * changes nothing: (1) copy FILE beside the database and check the copy (integrity_check,
 * LiteKPI's tables); (2) take SQLite's exclusive lock on the current database — a running server
 * (or any litekpi command) holds a shared lock on it for as long as it has it open, so the lock
 * fails at once while one runs; (3) checkpoint the current database so its WAL is inside
 * it, hard-link it as litekpi.db.before-restore, drop the stale -wal/-shm, and rename the copy
 * over litekpi.db — one atomic rename, so there is never a moment without a database file.
 */
export function restoreDatabase(dataDir: string, from: string): RestoreResult {
  const source = resolve(from);
  if (!existsSync(source) || !statSync(source).isFile()) throw new AppError(404, "no_backup", `No backup file at ${source}. Nothing was changed.`);
  mkdirSync(dataDir, { recursive: true });
  const dbPath = databasePath(dataDir);
  const tmp = join(dataDir, `.litekpi.db.restore-${process.pid}.tmp`);
  let lock: Database | null = null;
  try {
    copyFileSync(source, tmp);
    const check = inspectDatabaseFile(tmp);
    if (!check.ok) throw new AppError(422, "invalid_backup", `Refusing to restore ${source}: ${check.problem}. Nothing was changed.`);
    fsyncPath(tmp);
    // Held until just before the swap (a server starting meanwhile cannot open the file).
    lock = existsSync(dbPath) ? lockExclusively(dbPath) : null;
    let previous: string | null = null;
    if (lock) {
      lock.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      lock.close(); // the last connection: SQLite removes the (now empty) WAL itself
      lock = null;
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
    lock?.close();
    rmSync(tmp, { force: true });
  }
}

/**
 * The current database under an exclusive lock (locking_mode=EXCLUSIVE keeps it until close).
 * busy_timeout 0: a server that has the file open answers SQLITE_BUSY at once.
 */
function lockExclusively(dbPath: string): Database {
  const db = new Database(dbPath, { readwrite: true, create: false });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return db;
  } catch (err) {
    db.close();
    if (String((err as { code?: unknown }).code ?? "").startsWith("SQLITE_BUSY")) {
      throw new AppError(409, "server_running", `${dbPath} is in use (a running LiteKPI server or command); stop the server first, then restore. Nothing was changed.`, { cause: err });
    }
    throw err;
  }
}
