import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";

/**
 * DATA_DIR/litekpi.lock: a tiny SQLite file (rollback journal) whose exclusive lock a serving
 * process holds until it exits. Why not the database itself: in WAL mode an idle connection holds
 * no lock on the database file (only on its -shm), so "can I lock litekpi.db?" says yes next to
 * an idle server — measured. The lock is SQLite's own (POSIX record locks), so the kernel drops
 * it with the process: a `kill -9` leaves no stale lock behind. Restore takes the same lock, so a
 * server cannot start in the middle of one.
 */
export const lockPath = (dataDir: string) => join(dataDir, "litekpi.lock");

export type ServerLock = { release(): void };

/** Takes the lock, or returns null when another process holds it. */
export function acquireServerLock(dataDir: string): ServerLock | null {
  const db = new Database(lockPath(dataDir), { create: true, readwrite: true });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.exec("PRAGMA journal_mode = DELETE");
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    // A write, so the EXCLUSIVE lock is taken and, in exclusive locking mode, kept until close.
    db.exec("BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;");
    db.query("INSERT INTO holder (pid) VALUES (?)").run(process.pid);
    db.exec("COMMIT");
    return { release: () => db.close() };
  } catch (err) {
    db.close();
    if (isBusy(err)) return null;
    throw err;
  }
}

/** Whether a process holds the lock right now (without taking it). */
export function serverLockHeld(dataDir: string): boolean {
  if (!existsSync(lockPath(dataDir))) return false;
  const db = new Database(lockPath(dataDir), { readwrite: true, create: false });
  try {
    db.exec("PRAGMA busy_timeout = 0");
    db.query("SELECT count(*) FROM sqlite_master").get();
    return false;
  } catch (err) {
    if (isBusy(err)) return true;
    throw err;
  } finally {
    db.close();
  }
}

const isBusy = (err: unknown) => String((err as { code?: unknown })?.code ?? "").startsWith("SQLITE_BUSY");
