import type { Database } from "bun:sqlite";
import type { RevenueAnswer } from "./metrics";
import type { Filter } from "./types";

/**
 * THE seam for revenue metrics (DESIGN.md "Revenue"): total_revenue, average_revenue, revenue,
 * purchases and rpv of one result row — purchases paid in [from, to), under the attributed
 * visit's dimension values. Until revenue events exist this answers nothing earned: 0 for our
 * plain metrics, null for Plausible's money objects (what Plausible answers for a site without
 * revenue goals). The revenue work replaces the body; callers and answers keep their shape.
 */
export type RevenueRow = { productId: string; from: number; to: number; dimensions: string[]; values: string[]; filters: Filter[] };

export function revenueForRow(_reader: Database, _row: RevenueRow): RevenueAnswer {
  return { total: null, average: null, revenue: 0, purchases: 0 };
}
