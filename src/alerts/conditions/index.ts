import type { ConditionKind } from "./kind";
import { threshold } from "./threshold";
import { zscore } from "./zscore";
import { rollingMean } from "./rolling-mean";
import { seasonal } from "./seasonal";
import { lowStock } from "./low-stock";
import { predictedStockout } from "./predicted-stockout";
import { reorderPoint } from "./reorder-point";

/** THE table of alert condition kinds. A new kind is one module and one line here. */
export const CONDITION_KINDS: ConditionKind[] = [threshold, zscore, rollingMean, seasonal, lowStock, predictedStockout, reorderPoint];
const byTag = new Map(CONDITION_KINDS.map((k) => [k.tag, k]));

/** The tag a condition's JSON names: its `anomaly` or `inventory`, else "threshold" when it has `op`. */
export function conditionTag(raw: unknown): string | null {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.anomaly === "string") return r.anomaly;
  if (typeof r.inventory === "string") return r.inventory;
  return "op" in r ? "threshold" : null;
}

export const conditionKind = (tag: string | null) => (tag ? byTag.get(tag) : undefined);
export const ANOMALY_TAGS = ["zscore", "rolling_mean", "seasonal"];
export const INVENTORY_TAGS = ["low_stock", "predicted_stockout", "reorder_point"];
