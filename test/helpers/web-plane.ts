import { join } from "node:path";
import type { Deps } from "../../src/deps";
import { dataPlaneOf } from "../../src/storage";
import { openChdb } from "../../src/storage/clickhouse/chdb";
import type { ClickHouseTransport } from "../../src/storage/clickhouse/transport";

/**
 * Stored web rows (web_events, web_sessions, the aggregates), read from wherever they live: the
 * SQLite file, or chdb under STORAGE=chdb (migration 0003), for tests that check storage itself.
 * Takes simple SQLite SQL with `?` parameters; on ClickHouse, visits are read FINAL (their latest
 * version) and the parameters bound by type.
 */
const sessions = new Map<string, ClickHouseTransport>();
function ch(deps: Deps): ClickHouseTransport | null {
  if (dataPlaneOf(deps.db.$client).engine === "sqlite") return null;
  const path = join(deps.config.dataDir, "clickhouse");
  let t = sessions.get(path);
  if (!t) {
    const opened = (t = openChdb(path));
    sessions.set(path, opened);
    deps.onClose(() => {
      sessions.delete(path);
      opened.close();
    });
  }
  return t;
}

export function webRows(deps: Deps, sql: string, ...params: (string | number)[]): Record<string, unknown>[] {
  const c = ch(deps);
  if (!c) return deps.db.$client.query(sql).all(...params) as Record<string, unknown>[];
  let i = 0;
  const bound: Record<string, string | number> = {};
  const text = sql
    .replace(/\?/g, () => {
      const v = params[i];
      bound[`p${i}`] = v!;
      return `{p${i++}:${typeof v === "number" ? "Int64" : "String"}}`;
    })
    .replace(/\bFROM web_sessions\b(?! FINAL)/g, "FROM web_sessions FINAL")
    .replace(/count\(\*\)/g, "toInt64(count())");
  return c.query(text, bound);
}

export const webCount = (deps: Deps, sql: string, ...params: (string | number)[]) => Number(Object.values(webRows(deps, sql, ...params)[0] ?? { n: 0 })[0] ?? 0);
