import type { Config } from "../config";
import type { Out } from "../cli";
import { BACKUP_NICE, backupDatabase, dataPlaneNotice, openExisting } from "./backup";
import { lowerThreadPriority } from "../lib/thread-priority";
import { restoreDatabase } from "./restore";
import { diagnose } from "./doctor";
import { databasePath } from "./files";
import { migrateDataCommand } from "../storage/migrate-command";

/**
 * The operations commands. They work on the SQLite file itself, without the services the other
 * commands build (createDeps would migrate, and restore must not open the database it replaces).
 */
export type BareCommand = { options: Record<string, { type: "string" }>; required: string[]; bare(config: Config, opts: Record<string, string>): Out };

export const OPS_COMMANDS: Record<string, BareCommand> = {
  backup: {
    options: { to: { type: "string" } },
    required: ["to"],
    bare(config, o) {
      lowerThreadPriority(BACKUP_NICE); // a server on the same machine goes first
      const db = openExisting(databasePath(config.dataDir));
      try {
        const r = backupDatabase(db, o.to!);
        const notice = dataPlaneNotice(config.storage.engine, config.dataDir);
        return { json: false, values: r, plain: [r.file, String(r.bytes)], warnings: notice ? [notice] : [] };
      } finally {
        db.close();
      }
    },
  },
  restore: {
    options: { from: { type: "string" } },
    required: ["from"],
    bare(config, o) {
      const r = restoreDatabase(config.dataDir, o.from!);
      return { json: false, values: r, plain: [r.file, ...(r.previous ? [r.previous] : [])] };
    },
  },
  doctor: {
    options: {},
    required: [],
    bare(config) {
      const d = diagnose(config);
      const last = d.lastBackup ? `${d.lastBackup.file} (${d.lastBackup.bytes} bytes, ${d.lastBackup.at})` : "none";
      const plain = [
        `database: ${d.database} (${d.databaseBytes} bytes)`,
        `wal: ${d.walBytes} bytes`,
        `integrity: ${d.integrity} (${d.check})`,
        `pending product purges: ${d.pendingPurges}`,
        `last backup: ${last}`,
      ];
      return { json: false, values: d, plain, code: d.ok ? 0 : 1 };
    },
  },
  "migrate-data": migrateDataCommand,
};
