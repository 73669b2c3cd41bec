import * as v from "valibot";
import type { ConditionKind } from "./kind";
import { levelAt, levelNeeds, levelProblems, salesQuery, SalesSchema, velocityAt, velocityNeeds, type Sales } from "./inventory";

/**
 * `{ inventory: "reorder_point", sales: { metric, filters? }, leadTimeDays: 7, safetyStock?: 0 }`:
 * the classic reorder point, 7-day velocity × lead time + safety stock; fires when the last
 * reported level is at or below it. The threshold reported is the reorder point.
 */
type Params = { inventory: "reorder_point"; sales: Sales; leadTimeDays: number; safetyStock?: number };

export const reorderPoint: ConditionKind<Params> = {
  tag: "reorder_point",
  label: "Reorder point",
  schema: v.strictObject({
    inventory: v.literal("reorder_point"),
    sales: SalesSchema,
    leadTimeDays: v.pipe(v.number("leadTimeDays is a number"), v.minValue(0, "leadTimeDays is at least 0"), v.maxValue(365, "leadTimeDays is at most 365")),
    safetyStock: v.optional(v.pipe(v.number("safetyStock is a number"), v.minValue(0, "safetyStock is at least 0"), v.finite())),
  }),
  check: (_p, { query }) => levelProblems(query),
  sources: (p, main) => ({ sales: salesQuery(p.sales, main) }),
  needs: (_p, at, windowMs) => [levelNeeds(at, windowMs), velocityNeeds(at)],
  judge(p, j) {
    const level = levelAt(j);
    const point = velocityAt(j) * p.leadTimeDays + (p.safetyStock ?? 0);
    return { firing: level !== null && level <= point, value: level, threshold: point };
  },
  describe: (p) => `at the reorder point (${p.leadTimeDays} days of ${p.sales.metric} sales${p.safetyStock ? ` + ${p.safetyStock} safety stock` : ""})`,
};
