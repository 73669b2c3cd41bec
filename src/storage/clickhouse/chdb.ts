import { createRequire } from "node:module";
import { settingLiteral, type ClickHouseTransport, type Params, type Row } from "./transport";

/**
 * Embedded ClickHouse (chdb) with its data in one folder. Not a dependency of the default build:
 * `npm install --no-save chdb@3.4.0` in the checkout (README "Storage engines"); loaded lazily by
 * a name the bundler cannot follow, so the compiled binary never tries to carry it.
 *
 * One engine per process: every Session on the same path shares it (the writer thread inserts,
 * the HTTP thread queries, and both see the same tables).
 */
type ChdbSession = { query(sql: string, format?: string): string; queryBind(sql: string, args: object, format?: string): string; close(): void };
type ChdbModule = { Session: new (path: string, opts?: { connectionArgs?: string[] }) => ChdbSession };

const MODULE = "chdb";

export class ChdbMissingError extends Error {}

export function loadChdb(): ChdbModule {
  try {
    return createRequire(import.meta.url)(MODULE) as ChdbModule;
  } catch (err) {
    throw new ChdbMissingError(`STORAGE=chdb needs the chdb package: run \`npm install --no-save chdb@3.4.0\` in the checkout (${(err as Error).message})`);
  }
}

/** Whether chdb can be loaded here (tests and the bench skip chdb lanes with a printed line when not). */
export function chdbAvailable(): boolean {
  try {
    loadChdb();
    return true;
  } catch {
    return false;
  }
}

const settingsClause = (settings?: Record<string, string | number>) =>
  settings && Object.keys(settings).length ? ` SETTINGS ${Object.entries(settings).map(([k, v]) => `${k} = ${settingLiteral(v)}`).join(", ")}` : "";

export function openChdb(path: string): ClickHouseTransport {
  const { Session } = loadChdb();
  // 64-bit integers as JSON numbers: ids and epoch milliseconds are far below 2^53.
  const session = new Session(path, { connectionArgs: ["--output_format_json_quote_64bit_integers=0"] });
  const rows = (text: string): Row[] => {
    const out: Row[] = [];
    for (const line of text.split("\n")) if (line) out.push(JSON.parse(line) as Row);
    return out;
  };
  return {
    engine: "chdb",
    query(sql: string, params?: Params) {
      return rows(params ? session.queryBind(sql, params, "JSONEachRow") : session.query(sql, "JSONEachRow"));
    },
    command(sql: string, params?: Params) {
      if (params) session.queryBind(sql, params, "CSV");
      else session.query(sql, "CSV");
    },
    insertTsv(table, columns, body, settings) {
      session.query(`INSERT INTO ${table} (${columns.join(", ")})${settingsClause(settings)} FORMAT TabSeparated\n${body}`, "CSV");
    },
    insertSelect(table, select, settings) {
      session.query(`INSERT INTO ${table}${settingsClause(settings)} ${select}`, "CSV");
    },
    close() {
      session.close();
    },
  };
}
