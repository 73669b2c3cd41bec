import type { Db } from "../../db/connection";
import { DROP_REASONS, type DropReason } from "../../ops/drops";
import { listWebDrops } from "../drops";

/** The settings page's drop counters: every reason listed, zero where nothing was dropped for it yet. */
export type DropCount = { reason: DropReason; n: number; lastAt: number | null };

export function listDrops(db: Db, productId: string): DropCount[] {
  const byReason = new Map(listWebDrops(db, productId).map((r) => [r.reason, r]));
  return DROP_REASONS.map((reason) => ({ reason, n: byReason.get(reason)?.n ?? 0, lastAt: byReason.get(reason)?.lastAt ?? null }));
}
