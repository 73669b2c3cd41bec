import type { Database } from "bun:sqlite";

/**
 * Deleting a product's data rows (DESIGN.md, Settled details): the data plane has no foreign key
 * to products on purpose and can hold millions of rows, so the writer deletes them in small
 * transactions between flushes — other products' ingestion never waits behind one huge DELETE.
 *
 * The purge finds its tables itself (any table with a `product_id` column, and any with a
 * `series_id` column for the product's series), so a table added later cannot be forgotten.
 */
type Table = { name: string; keyColumns: string[] };
export type PurgePlan = { seriesKeyed: Table[]; productKeyed: Table[] };

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

/** Which tables hold rows of a product, read from the schema itself (sqlite_master + table_info). */
export function planPurge(sqlite: Database): PurgePlan {
  const tables = sqlite
    .query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_\\_%' ESCAPE '\\'")
    .all() as { name: string; sql: string }[];
  const plan: PurgePlan = { seriesKeyed: [], productKeyed: [] };
  for (const t of tables) {
    if (t.name === "products" || t.name === "product_purges") continue;
    const columns = sqlite.query(`SELECT name, pk FROM pragma_table_info(?)`).all(t.name) as { name: string; pk: number }[];
    const names = columns.map((c) => c.name);
    // Rows are deleted by rowid, or by primary key where the table is WITHOUT ROWID (rollups).
    const withoutRowid = /\)\s*WITHOUT\s+ROWID\s*;?\s*$/i.test(t.sql);
    const keyColumns = withoutRowid ? columns.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name) : ["rowid"];
    if (t.name !== "series" && names.includes("series_id")) plan.seriesKeyed.push({ name: t.name, keyColumns });
    else if (names.includes("product_id")) plan.productKeyed.push({ name: t.name, keyColumns });
  }
  // The series rows go last: until then they are how the series-keyed rows are found.
  plan.productKeyed.sort((a, b) => Number(a.name === "series") - Number(b.name === "series"));
  return plan;
}

/**
 * Deletes at most `batchSize` rows of one table for the product, in one short transaction.
 * Returns how many went; 0 means nothing of the product is left anywhere.
 */
export function purgeBatch(sqlite: Database, plan: PurgePlan, productId: string, batchSize: number): number {
  return sqlite.transaction(() => {
    for (const t of plan.seriesKeyed) {
      const n = deleteSome(sqlite, t, `series_id IN (SELECT id FROM series WHERE product_id = ?)`, productId, batchSize);
      if (n > 0) return n;
    }
    for (const t of plan.productKeyed) {
      const n = deleteSome(sqlite, t, `product_id = ?`, productId, batchSize);
      if (n > 0) return n;
    }
    return 0;
  }).immediate();
}

function deleteSome(sqlite: Database, t: Table, where: string, productId: string, limit: number): number {
  const keys = t.keyColumns.map(quote).join(", ");
  const target = t.keyColumns.length === 1 ? keys : `(${keys})`;
  const sql = `DELETE FROM ${quote(t.name)} WHERE ${target} IN (SELECT ${keys} FROM ${quote(t.name)} WHERE ${where} LIMIT ?)`;
  return sqlite.query(sql).run(productId, limit).changes;
}

/** Idempotency keys past their 24 h, at most `limit` per transaction. */
export function expireIdempotencyBatch(sqlite: Database, cutoff: number, limit: number): number {
  return sqlite
    .query("DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at <= ? LIMIT ?)")
    .run(cutoff, limit).changes;
}
