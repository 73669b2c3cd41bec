import type { Deps } from "../../src/deps";
import { ch } from "./data-plane";

/**
 * Stored web rows (web_events, web_sessions, the aggregates), read from wherever they live: the
 * SQLite file, or chdb under STORAGE=chdb (migration 0003), for tests that check storage itself.
 * Takes simple SQLite SQL with `?` parameters; on ClickHouse, visits are read FINAL (their latest
 * version) and the parameters bound by type.
 */

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
