import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClickHouseTransport } from "./transport";

/**
 * The ClickHouse schema's own versioned migrations (migrations/NNNN_name.sql, applied in name
 * order, each recorded in litekpi_migrations). Read from the checkout: chdb is never inside the
 * compiled binary, so these files are not binary assets. ClickHouse DDL is not transactional,
 * hence `IF NOT EXISTS` everywhere: a migration cut short is simply run again.
 */
const DIR = join(import.meta.dir, "migrations");

export function clickhouseMigrations(): { name: string; sql: string }[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.sql$/, ""), sql: readFileSync(join(DIR, f), "utf8") }));
}

export function migrateClickHouse(ch: ClickHouseTransport): { applied: string[] } {
  ch.command("CREATE TABLE IF NOT EXISTS litekpi_migrations (name String, applied_at DateTime DEFAULT now()) ENGINE = MergeTree ORDER BY name");
  const done = new Set(ch.query("SELECT name FROM litekpi_migrations").map((r) => String(r.name)));
  const applied: string[] = [];
  for (const m of clickhouseMigrations()) {
    if (done.has(m.name)) continue;
    for (const statement of m.sql.split("--> statement-breakpoint")) {
      const sql = statement.replace(/^\s*--.*$/gm, "").trim();
      if (sql) ch.command(sql);
    }
    ch.command("INSERT INTO litekpi_migrations (name) VALUES ({name:String})", { name: m.name });
    applied.push(m.name);
  }
  return { applied };
}
