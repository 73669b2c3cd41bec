import { Database } from "bun:sqlite";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { sha256Hex } from "../../src/lib/tokens";
import { makeProductWithKeys } from "../helpers/factories";

/** A DATA_DIR with a user, a product and its keys, made with the real createDeps, then closed. */
export async function seedDataDir(dataDir: string, points: (ingest: (pts: { metric: string; value: number; tsMs: number; tags: Record<string, string> }[]) => Promise<unknown>) => Promise<void> = async () => {}) {
  const deps = await createDeps(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "silent" }), { log: createLogger("silent") });
  try {
    const made = await makeProductWithKeys(deps, { timezone: "UTC" });
    await points((pts) => deps.queue.submitPoints(made.product.id, pts));
    return made;
  } finally {
    await deps.close();
  }
}

/** Reads a copy, so the file under test is never opened (a read-write open could touch it). */
export function readCopy<T>(file: string, dir: string, read: (db: Database) => T): T {
  const copy = join(dir, `read-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const db = new Database(copy);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

export const fileHash = (file: string) => sha256Hex(readFileSync(file));

/** Overwrites the first page of a table's b-tree (its root) with 0xFF: a structural corruption integrity_check must see. */
export function smashTableRoot(file: string, table: string, scratch: string) {
  const { rootpage, page_size } = readCopy(file, scratch, (db) => ({
    rootpage: (db.query("SELECT rootpage FROM sqlite_master WHERE name = ?").get(table) as { rootpage: number }).rootpage,
    page_size: (db.query("PRAGMA page_size").get() as { page_size: number }).page_size,
  }));
  const bytes = readFileSync(file);
  bytes.fill(0xff, (rootpage - 1) * page_size, rootpage * page_size);
  writeFileSync(file, bytes);
}

export const integrityOf = (db: Database) => (db.query("PRAGMA integrity_check").all() as { integrity_check: string }[]).map((r) => r.integrity_check).join("; ");
