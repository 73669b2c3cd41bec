import { join } from "node:path";
import type { BareCommand } from "../ops/commands";
import { openExisting } from "../ops/backup";
import { databasePath } from "../ops/files";
import { AppError } from "../lib/errors";
import { openChdb } from "./clickhouse/chdb";
import { migrateClickHouse } from "./clickhouse/migrate";
import { migrateData, type MigrateDirection } from "./migrate-data";

const TARGETS: Record<string, MigrateDirection | null> = { chdb: "to-clickhouse", sqlite: "to-sqlite", clickhouse: null };

/**
 * `litekpi migrate-data --to chdb|sqlite [--replace]`, with the server stopped (chdb's data
 * folder belongs to one process). Progress goes to stderr, one line per batch; the result (rows
 * and points per table on both sides) to stdout. Then set STORAGE to the engine copied to.
 */
export const migrateDataCommand: BareCommand = {
  options: { to: { type: "string" }, replace: { type: "string" } },
  required: ["to"],
  bare(config, o) {
    const direction = TARGETS[o.to!];
    if (direction === undefined) throw new AppError(400, "invalid_target", "--to must be chdb, sqlite or clickhouse", { field: "to" });
    if (direction === null) {
      throw new AppError(400, "unsupported_target", "--to clickhouse needs the HTTP transport, which this version does not have yet: --to chdb runs the same schema embedded", { field: "to" });
    }
    const sqlite = openExisting(databasePath(config.dataDir));
    const ch = openChdb(join(config.dataDir, "clickhouse"));
    try {
      migrateClickHouse(ch);
      const counts = migrateData({
        sqlite,
        ch,
        direction,
        markerPath: join(config.dataDir, "migrate-data.json"),
        replace: o.replace === "yes" || o.replace === "true" || o.replace === "",
        progress: (table, done, total) => process.stderr.write(`${table}: ${done}/${total} ${bar(done, total)}\n`),
      });
      return { json: false, values: { to: o.to, tables: counts }, plain: counts.map((c) => `${c.table} ${c.target}`) };
    } finally {
      ch.close();
      sqlite.close();
    }
  },
};

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${total ? Math.floor((done / total) * 100) : 100}%`;
}
