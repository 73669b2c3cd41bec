import { statSync } from "node:fs";
import type { Config } from "../config";
import { openExisting } from "./backup";
import { automaticBackupDir, databasePath, fileBytes, listBackups } from "./files";

/** Past this size `litekpi doctor` runs quick_check (O(N), no index cross-check) instead of integrity_check. */
export const QUICK_CHECK_FROM_BYTES = 1024 ** 3;

export type Diagnosis = {
  database: string;
  databaseBytes: number;
  walBytes: number;
  check: "integrity_check" | "quick_check";
  integrity: string;
  ok: boolean;
  /** -1 when the database could not say. */
  pendingPurges: number;
  lastBackup: { file: string; bytes: number; at: string } | null;
};

/**
 * `litekpi doctor`: what an operator checks first. Reads only; safe next to a running server
 * (its check is one read transaction, which never blocks the writer in WAL mode).
 */
export function diagnose(config: Pick<Config, "dataDir" | "backupDir">, opts: { quickCheckFromBytes?: number } = {}): Diagnosis {
  const database = databasePath(config.dataDir);
  const db = openExisting(database);
  try {
    const databaseBytes = fileBytes(database);
    const check = databaseBytes >= (opts.quickCheckFromBytes ?? QUICK_CHECK_FROM_BYTES) ? "quick_check" : "integrity_check";
    // A file too damaged to read is a failed check with SQLite's reason, not a crash of doctor.
    const messages = attempt(() => (db.query(`PRAGMA ${check}`).all() as Record<string, string>[]).map((r) => String(Object.values(r)[0])));
    const ok = messages.length === 1 && messages[0] === "ok";
    const purges = attempt(() => [(db.query("SELECT count(*) AS n FROM product_purges").get() as { n: number }).n]);
    return {
      database,
      databaseBytes,
      walBytes: fileBytes(`${database}-wal`),
      check,
      integrity: ok ? "ok" : messages.slice(0, 10).join("; "),
      ok,
      pendingPurges: typeof purges[0] === "number" ? purges[0] : -1,
      lastBackup: lastBackup([config.backupDir, automaticBackupDir(config.dataDir)]),
    };
  } finally {
    db.close();
  }
}

function attempt<T>(read: () => T[]): (T | string)[] {
  try {
    return read();
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
}

/** The newest backup file (by modification time) in any of the folders. */
function lastBackup(dirs: (string | undefined)[]): Diagnosis["lastBackup"] {
  let newest: { file: string; mtime: number; bytes: number } | null = null;
  for (const dir of dirs) {
    if (!dir) continue;
    for (const file of listBackups(dir)) {
      const s = statSync(file);
      if (!newest || s.mtimeMs > newest.mtime) newest = { file, mtime: s.mtimeMs, bytes: s.size };
    }
  }
  return newest && { file: newest.file, bytes: newest.bytes, at: new Date(newest.mtime).toISOString() };
}
