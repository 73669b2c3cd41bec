import type { Database, Statement } from "bun:sqlite";

/**
 * Runs SQL through bun:sqlite's statement cache (`query`) only when its text has few possible
 * shapes (no filters: per source × group keys). Filter lists vary without end, and that cache
 * never evicts, so those statements are compiled for the call and finalized. Shared by the
 * engine's planners (points and events).
 */
export function runStatement<T>(sqlite: Database, sql: string, cacheable: boolean, use: (st: Statement) => T): T {
  if (cacheable) return use(sqlite.query(sql));
  const st = sqlite.prepare(sql);
  try {
    return use(st);
  } finally {
    st.finalize();
  }
}
