import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { productPurges, products } from "../db/schema";
import { notFound } from "../lib/errors";
import type { Clock } from "../lib/clock";
import type { WriteQueue } from "../writer/queue";

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
 * The writer thread runs each batch (src/writer/purge.ts), so the purge is one more writer of
 * data tables through the one write path.
 */
export function deleteProduct(db: Db, productId: string, now: number) {
  db.transaction((tx) => {
    const gone = tx.delete(products).where(eq(products.id, productId)).returning({ id: products.id }).get();
    if (!gone) throw notFound();
    tx.insert(productPurges).values({ productId, requestedAt: now }).onConflictDoNothing().run();
  });
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
  deps: { db: Db; clock: Clock; queue: Pick<WriteQueue, "flushNow" | "forgetProduct" | "purgeBatch"> },
  opts: { batchSize?: number } = {},
): Promise<{ products: number; rows: number }> {
  const { db } = deps;
  const pending = db.select().from(productPurges).all();
  if (!pending.length) return { products: 0, rows: 0 };
  let rows = 0;
  const sweep = async (productId: string) => {
    for (;;) {
      const n = await deps.queue.purgeBatch(productId, opts.batchSize ?? PURGE_BATCH_SIZE);
      if (n === 0) return;
      rows += n;
    }
  };
  for (const { productId, requestedAt } of pending) {
    await sweep(productId);
    await deps.queue.flushNow(); // whatever was already queued for it is on disk now …
    await sweep(productId); // … and gone again
    await deps.queue.forgetProduct(productId);
    if (deps.clock.now() - requestedAt >= PURGE_GRACE_MS) db.delete(productPurges).where(eq(productPurges.productId, productId)).run();
  }
  return { products: pending.length, rows };
}
