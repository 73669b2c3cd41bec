import { eq } from "drizzle-orm";
import type { Database } from "bun:sqlite";
import type { Db } from "../db/connection";
import { productPurges, products } from "../db/schema";
import { notFound } from "../lib/errors";
import type { Clock } from "../lib/clock";
import type { WriteQueue } from "../ingest/write-queue";

/**
 * FR-2.5, in two steps (DESIGN.md, Settled details):
 *
 * 1. deleteProduct — immediate for people. One transaction records the purge and deletes the
 *    product row; every control-plane table (memberships, keys, invites, dashboards, widgets,
 *    reports…) references products ON DELETE CASCADE, so they go with it and every URL is a 404
 *    at once.
 * 2. purgeProductData — the data plane (series, series_tags, points, rollups, events, idempotency
 *    keys) has no foreign key on purpose and can hold millions of rows, so a job deletes it in
 *    small transactions: other products' ingestion flushes interleave instead of waiting behind one
 *    huge DELETE.
 *
 * The purge finds its tables itself (any table with a `product_id` column, and any with a
 * `series_id` column for the product's series), so a table added later cannot be forgotten.
 */
export function deleteProduct(db: Db, productId: string, now: number) {
  db.transaction((tx) => {
    const gone = tx.delete(products).where(eq(products.id, productId)).returning({ id: products.id }).get();
    if (!gone) throw notFound();
    tx.insert(productPurges).values({ productId, requestedAt: now }).onConflictDoNothing().run();
  });
}

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
  })();
}

function deleteSome(sqlite: Database, t: Table, where: string, productId: string, limit: number): number {
  const keys = t.keyColumns.map(quote).join(", ");
  const target = t.keyColumns.length === 1 ? keys : `(${keys})`;
  const sql = `DELETE FROM ${quote(t.name)} WHERE ${target} IN (SELECT ${keys} FROM ${quote(t.name)} WHERE ${where} LIMIT ?)`;
  return sqlite.query(sql).run(productId, limit).changes;
}

export const PURGE_BATCH_SIZE = 2000;
/**
 * A request whose key was checked just before the delete can still reach the write queue a few
 * ms later and land rows for the product. The purge row stays this long after the delete, so the
 * per-minute job sweeps again and nothing that arrived late is left behind.
 */
export const PURGE_GRACE_MS = 10 * 60_000;

/**
 * The job (src/jobs/index.ts): purges every deleted product, batch by batch, yielding to the
 * event loop between batches so requests and the write queue keep running. Idempotent: the
 * product_purges row goes only when a pass finds nothing left after the grace period, so a crash
 * mid-purge resumes.
 */
export async function purgeDeletedProducts(
  deps: { db: Db; clock: Clock; queue: Pick<WriteQueue, "flushNow" | "forgetProduct"> },
  opts: { batchSize?: number } = {},
): Promise<{ products: number; rows: number }> {
  const { db } = deps;
  const sqlite = db.$client;
  const pending = db.select().from(productPurges).all();
  if (!pending.length) return { products: 0, rows: 0 };
  const plan = planPurge(sqlite);
  let rows = 0;
  const sweep = async (productId: string) => {
    for (;;) {
      const n = purgeBatch(sqlite, plan, productId, opts.batchSize ?? PURGE_BATCH_SIZE);
      if (n === 0) return;
      rows += n;
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  };
  for (const { productId, requestedAt } of pending) {
    await sweep(productId);
    await deps.queue.flushNow(); // whatever was already queued for it is on disk now …
    await sweep(productId); // … and gone again
    deps.queue.forgetProduct(productId);
    if (deps.clock.now() - requestedAt >= PURGE_GRACE_MS) db.delete(productPurges).where(eq(productPurges.productId, productId)).run();
  }
  return { products: pending.length, rows };
}
