import { createRequire } from "node:module";
import { join } from "node:path";
import { settingLiteral, type ClickHouseTransport, type Params, type Row } from "./transport";

/**
 * Embedded ClickHouse (chdb) with its data in one folder. Not a dependency of the default build:
 * `npm install --no-save chdb@3.4.0` in the checkout (README "Storage engines"); loaded lazily by
 * a name the bundler cannot follow, so the compiled binary never tries to carry it.
 *
 * One engine per process: every Session on the same path shares it (the writer thread inserts,
 * the HTTP thread queries, and both see the same tables).
 */
export type ChdbSession = { query(sql: string, format?: string): string; queryBind(sql: string, args: object, format?: string): string; close(): void; cleanup?(): void };
export type ChdbModule = { Session: new (path: string, opts?: { connectionArgs?: string[] }) => ChdbSession };

const MODULE = "chdb";

export class ChdbMissingError extends Error {}

/**
 * THE way chdb is found: resolved as a package from this checkout (its node_modules), else from
 * each folder of `alsoIn` in turn (a folder it was installed into with `npm install --prefix`,
 * like the bench's bench/.peers).
 */
export function loadChdb(alsoIn: string[] = []): ChdbModule {
  let first: Error | undefined;
  for (const from of [import.meta.url, ...alsoIn.map((dir) => join(dir, "package.json"))]) {
    try {
      return createRequire(from)(MODULE) as ChdbModule;
    } catch (err) {
      first ??= err as Error;
    }
  }
  throw new ChdbMissingError(`STORAGE=chdb needs the chdb package: run \`npm install --no-save chdb@3.4.0\` in the checkout (${first!.message})`);
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
