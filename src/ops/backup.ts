import { Database } from "bun:sqlite";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { AppError } from "../lib/errors";
import { fsyncDir, fsyncPath } from "./files";

/**
 * Online backup (DESIGN.md "Operations"). `VACUUM INTO` runs as one read transaction on its own
 * connection: in WAL mode a reader never blocks the writer, so ingestion goes on and the copy is
 * the database exactly as of the last COMMIT before the backup began. bun:sqlite has no binding
 * for SQLite's backup API (sqlite3_backup_*); `Database.serialize()` would hold the whole file
 * in memory. The copy goes to a temp file beside the target, is fsynced and integrity-checked,
 * and only then renamed over it: a crash or a failed check never leaves a half backup under the name.
 */
export type BackupResult = { file: string; bytes: number; tookMs: number };

/**
 * The nice value of a thread that runs an online backup (the CLI's, the scheduled backup's
 * Worker): VACUUM INTO and the check are CPU work that, at equal priority on a shared core,
 * measured ingestion at 0.40x (bench R23); niced, the backup takes the core the server leaves.
 * Not for the pre-migration copy, which runs on the server's own thread before it serves.
 */
export const BACKUP_NICE = 10;

/** Tables every LiteKPI database has; a file without them is some other SQLite database. */
const LITEKPI_TABLES = ["__drizzle_migrations", "products", "series"]; // raw points moved from a table to point_blocks in 0018: either is LiteKPI

/** Opens the database at `path` for reading, never creating it (the backup must not make an empty one). */
export function openExisting(path: string): Database {
  if (!existsSync(path)) throw new AppError(404, "no_database", `No database at ${path} (is DATA_DIR right?)`);
  const db = new Database(path, { readwrite: true, create: false });
  db.exec("PRAGMA busy_timeout = 5000");
  return db;
}

export function backupDatabase(source: Database, target: string): BackupResult {
  const started = performance.now();
  const file = resolve(target);
  // The rename would put the copy in place of the live database (or its WAL) under the server.
  const live = resolve(source.filename);
  if ([live, `${live}-wal`, `${live}-shm`].includes(file)) throw new AppError(400, "bad_target", `${file} is the database itself; back up to another file`, { field: "to" });
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  rmSync(tmp, { force: true }); // VACUUM INTO refuses a file that exists
  try {
    source.query("VACUUM INTO ?").run(tmp);
    fsyncPath(tmp);
    const check = inspectDatabaseFile(tmp);
    if (!check.ok) throw new AppError(500, "backup_failed", `The copy failed its check (${check.problem}); ${file} was not written`);
    renameSync(tmp, file);
    fsyncDir(dirname(file));
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof AppError) throw err;
    throw new AppError(500, "backup_failed", `Backup to ${file} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { file, bytes: statSync(file).size, tookMs: Math.round(performance.now() - started) };
}

export type Inspection = { ok: true; migrations: number } | { ok: false; problem: string };

/**
 * Whether `path` is a sound LiteKPI database: `PRAGMA integrity_check` says ok and the tables
 * are there. Any error opening or reading it (not a database, malformed) is a problem, not a throw.
 * Opens read-write: a WAL-mode file cannot be read read-only without its -shm beside it.
 */
export function inspectDatabaseFile(path: string, check: "integrity_check" | "quick_check" = "integrity_check"): Inspection {
  let db: Database | null = null;
  try {
    db = new Database(path, { readwrite: true, create: false });
    const rows = db.query(`PRAGMA ${check}`).all() as Record<string, string>[];
    const messages = rows.map((r) => Object.values(r)[0]);
    if (messages.length !== 1 || messages[0] !== "ok") return { ok: false, problem: `${check} failed: ${messages.slice(0, 3).join("; ")}` };
    const tables = new Set((db.query("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = LITEKPI_TABLES.filter((t) => !tables.has(t));
    if (missing.length) return { ok: false, problem: `not a LiteKPI database (no ${missing.join(", ")} table)` };
    const { n } = db.query(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get() as { n: number };
    return { ok: true, migrations: n };
  } catch (err) {
    return { ok: false, problem: `not a readable SQLite database (${err instanceof Error ? err.message : String(err)})` };
  } finally {
    db?.close();
  }
}

/**
 * What a backup of the SQLite file leaves out: on STORAGE=chdb|clickhouse the data plane (raw
 * points, rollups, product events, web analytics) lives in ClickHouse, not in the file, so a
 * backup holds the control plane only. Said on every backup rather than left to be found after a
 * restore; null when the file is everything.
 */
export function dataPlaneNotice(engine: "sqlite" | "clickhouse" | "chdb", dataDir: string): string | null {
  if (engine === "sqlite") return null;
  const where = engine === "chdb" ? `${dataDir}/clickhouse (copy it with the server stopped)` : "the ClickHouse server (back it up with ClickHouse's BACKUP)";
  return `STORAGE=${engine}: this backup holds the control plane only; points, events and web analytics are in ${where}`;
}

