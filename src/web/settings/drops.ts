import type { Db } from "../../db/connection";
import { DROP_REASONS, type DropReason } from "../../ops/drops";

/** What the tracking endpoints dropped on purpose for a product, per reason (web_drops), every reason listed. */
export type DropCount = { reason: DropReason; n: number; lastAt: number | null };

export function listDrops(db: Db, productId: string): DropCount[] {
  const rows = db.$client.prepare("SELECT reason, n, last_at FROM web_drops WHERE product_id = ?").all(productId) as { reason: string; n: number; last_at: number }[];
  const byReason = new Map(rows.map((r) => [r.reason, r]));
  return DROP_REASONS.map((reason) => ({ reason, n: byReason.get(reason)?.n ?? 0, lastAt: byReason.get(reason)?.last_at ?? null }));
}
