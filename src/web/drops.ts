import type { Db } from "../db/connection";

/**
 * What the enrichment dropped for a product, per reason (web_drops, counted by the writer in the
 * flush that the dropped request waited for): for the site settings page. Reasons: bot,
 * ip_excluded, excluded_path, unknown_domain (src/web/enrich/steps.ts).
 */
export type WebDrop = { reason: string; n: number; lastAt: number };

export function listWebDrops(db: Db, productId: string): WebDrop[] {
  return (db.$client.query("SELECT reason, n, last_at FROM web_drops WHERE product_id = ? ORDER BY n DESC, reason").all(productId) as { reason: string; n: number; last_at: number }[]).map((r) => ({ reason: r.reason, n: r.n, lastAt: r.last_at }));
}
