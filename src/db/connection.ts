import { Database } from "bun:sqlite";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import * as schema from "./schema";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

/**
 * All SQLite settings live here. busy_timeout first (so the WAL switch itself may wait),
 * then WAL. synchronous=FULL by default: an acknowledged write survives power loss, and group
 * commit keeps it cheap; LITEKPI_SYNC=normal trades that for speed.
 */
export function openDatabase(path: string, opts: { sync?: "full" | "normal"; readonly?: boolean } = {}): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, opts.readonly ? { readonly: true, strict: true } : { create: true, readwrite: true, strict: true });
  sqlite.exec("PRAGMA busy_timeout = 5000");
  if (!opts.readonly) sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec(`PRAGMA synchronous = ${opts.sync === "normal" ? "NORMAL" : "FULL"}`);
  sqlite.exec("PRAGMA foreign_keys = ON");
  sqlite.exec("PRAGMA temp_store = MEMORY");
  sqlite.exec("PRAGMA cache_size = -65536"); // 64 MiB page cache
  sqlite.exec("PRAGMA mmap_size = 268435456"); // 256 MiB: reads of rollups avoid syscalls
  return drizzle({ client: sqlite, schema }) as Db;
}

export function closeDatabase(db: Db) {
  const sqlite = db.$client;
  try {
    sqlite.exec("PRAGMA optimize");
    // PASSIVE never waits on another connection: a CLI command exiting next to a running server
    // must not stall its writes. The last connection to close checkpoints and removes the WAL anyway.
    sqlite.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } finally {
    sqlite.close();
  }
}

/** A cheap liveness probe for /healthz. */
export function pingDatabase(db: Db): boolean {
  try {
    return db.$client.query("SELECT 1 AS ok").get() !== null;
  } catch {
    return false;
  }
}
