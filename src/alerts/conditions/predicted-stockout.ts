import * as v from "valibot";
import type { ConditionKind } from "./kind";
import { levelAt, levelNeeds, levelProblems, salesQuery, SalesSchema, velocityAt, velocityNeeds, type Sales } from "./inventory";

/**
 * `{ inventory: "predicted_stockout", sales: { metric, filters? }, days: 5 }`: days of stock left
 * at the 7-day sales velocity (level ÷ units sold per day) is below `days`. No sales: no
 * prediction (not firing); a level at or below 0 is 0 days left. The value reported is days left.
 */
type Params = { inventory: "predicted_stockout"; sales: Sales; days: number };

export const predictedStockout: ConditionKind<Params> = {
  tag: "predicted_stockout",
  label: "Predicted stockout",
  schema: v.strictObject({
    inventory: v.literal("predicted_stockout"),
    sales: SalesSchema,
    days: v.pipe(v.number("days is a number"), v.minValue(0.01, "days is more than 0"), v.maxValue(3650, "days is at most 3650")),
  }),
  check: (_p, { query }) => levelProblems(query),
  sources: (p, main) => ({ sales: salesQuery(p.sales, main) }),
  needs: (_p, at, windowMs) => [levelNeeds(at, windowMs), velocityNeeds(at)],
  judge(p, j) {
    const level = levelAt(j);
    if (level === null) return { firing: false, value: null, threshold: p.days };
    const velocity = velocityAt(j);
    const daysLeft = level <= 0 ? 0 : velocity > 0 ? level / velocity : null;
    return { firing: daysLeft !== null && daysLeft < p.days, value: daysLeft, threshold: p.days };
  },
  describe: (p) => `fewer than ${p.days} days of stock at the 7-day sales velocity of ${p.sales.metric}`,
};
