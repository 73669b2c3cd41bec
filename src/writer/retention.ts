import type { Database } from "bun:sqlite";

/**
 * Retention deletes (DESIGN.md "Operations"), run by the writer between flushes: at most `limit`
 * raw rows per call, each call its own short transaction, so ingestion interleaves. Hour and day
 * aggregates are never touched: charts read them, and they stay the same. Raw points are the data
 * plane's (src/storage/: on SQLite they fold into minute rows as they go).
 */

/** Where raw points of the product end from now on (never moved back). */
export function recordRetentionCut(sqlite: Database, productId: string, before: number) {
  sqlite
    .query(
      `INSERT INTO retention_cuts (product_id, points_before) VALUES (?, ?)
       ON CONFLICT (product_id) DO UPDATE SET points_before = max(points_before, excluded.points_before)`,
    )
    .run(productId, before);
}

/**
 * Events of the product older than `before`: of one namespace, or (namespace null: the product's
 * own rule) of every namespace not in `exclude` — those have rules of their own.
 */
export function deleteOldEvents(sqlite: Database, productId: string, before: number, scope: { namespace: string } | { exclude: string[] }, limit: number): number {
  const [where, param] =
    "namespace" in scope
      ? ["namespace = ?", scope.namespace]
      : ["(namespace IS NULL OR namespace NOT IN (SELECT value FROM json_each(?)))", JSON.stringify(scope.exclude)];
  return sqlite.transaction(
    () =>
      sqlite
        .query(`DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE product_id = ? AND ts_ms < ? AND ${where} LIMIT ?)`)
        .run(productId, before, param, limit).changes,
  ).immediate();
}

/**
 * Raw web rows of the product older than `before`: hits first, then visits that ended before it.
 * The hourly and daily aggregates stay (the web dashboard reads them), so its cards and charts
 * do not change; filtered queries, which read raw rows, see only what is kept.
 */
export function deleteOldWeb(sqlite: Database, productId: string, before: number, limit: number): number {
  return sqlite.transaction(() => {
    const hits = sqlite
      .query("DELETE FROM web_events WHERE seq IN (SELECT seq FROM web_events WHERE product_id = ? AND ts_ms < ? LIMIT ?)")
      .run(productId, before, limit).changes;
    if (hits > 0) return hits;
    return sqlite
      .query("DELETE FROM web_sessions WHERE id IN (SELECT id FROM web_sessions WHERE product_id = ? AND last_ms < ? LIMIT ?)")
      .run(productId, before, limit).changes;
  }).immediate();
}
