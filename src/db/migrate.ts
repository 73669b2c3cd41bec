import type { Database } from "bun:sqlite";
import { sha256Hex } from "../lib/tokens";
import { assetText } from "../lib/assets";

type Journal = { entries: { idx: number; when: number; tag: string }[] };

/**
 * Applies the drizzle-kit SQL in migrations/ in journal order, each in its own transaction, and
 * records it in drizzle's own `__drizzle_migrations` table (so drizzle-kit tooling still agrees).
 * Reads through the assets module so the compiled binary carries its migrations.
 * Never swallows an error: a failed migration stops start-up.
 */
export async function migrate(sqlite: Database): Promise<{ applied: string[] }> {
  sqlite.exec(`CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  const applied: string[] = [];
  for (const entry of await pending(sqlite)) {
    const sql = await assetText(`migrations/${entry.tag}.sql`);
    const statements = sql.split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean);
    sqlite.transaction(() => {
      for (const statement of statements) sqlite.exec(statement);
      sqlite.query(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`).run(sha256Hex(sql), entry.when);
    }).immediate();
    applied.push(entry.tag);
  }
  return { applied };
}

/**
 * The migrations `migrate` would apply, and whether the database has any applied already (an
 * existing database, as opposed to a new empty file). Reads only.
 */
export async function pendingMigrations(sqlite: Database): Promise<{ pending: string[]; existing: boolean }> {
  const table = sqlite.query(`SELECT 1 AS ok FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`).get();
  const existing = table !== null && sqlite.query(`SELECT 1 AS ok FROM "__drizzle_migrations" LIMIT 1`).get() !== null;
  return { pending: (await pending(sqlite, existing)).map((e) => e.tag), existing };
}

async function pending(sqlite: Database, hasTable = true): Promise<Journal["entries"]> {
  const journal = JSON.parse(await assetText("migrations/meta/_journal.json")) as Journal;
  const last = hasTable ? sqlite.query<{ created_at: number | null }, []>(`SELECT max(created_at) AS created_at FROM "__drizzle_migrations"`).get() : null;
  const lastApplied = Number(last?.created_at ?? 0);
  return [...journal.entries].sort((a, b) => a.idx - b.idx).filter((entry) => entry.when > lastApplied);
}
