import { closeSync, existsSync, fsyncSync, openSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

/** Where the server keeps its database (src/boot.ts opens the same path). */
export const databasePath = (dataDir: string) => join(dataDir, "litekpi.db");

/** Where the automatic pre-migration backups go. */
export const automaticBackupDir = (dataDir: string) => join(dataDir, "backups");

export function fsyncPath(path: string) {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A rename is durable only once the directory holding it is synced too. */
export function fsyncDir(dir: string) {
  try {
    fsyncPath(dir);
  } catch {
    // some file systems refuse fsync on a directory; the rename itself already happened
  }
}

export const fileBytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** `2026-12-01T03-17-00.000Z`: sortable as text, and legal in file names everywhere. */
export const fileStamp = (ms: number) => new Date(ms).toISOString().replaceAll(":", "-");

/** Backup files in `dir` whose names start with `prefix`, oldest first (names carry the time). */
export function listBackups(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".db"))
    .sort()
    .map((name) => join(dir, name));
}

/** Keeps the newest `keep` backups named `prefix…` in `dir`; returns the files removed. */
export function pruneBackups(dir: string, prefix: string, keep: number): string[] {
  const all = listBackups(dir, prefix);
  const gone = all.slice(0, Math.max(0, all.length - keep));
  for (const file of gone) rmSync(file, { force: true });
  return gone;
}
