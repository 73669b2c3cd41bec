import * as v from "valibot";
import type { ConditionKind } from "./kind";
import { levelAt, levelNeeds, levelProblems } from "./inventory";

/** `{ inventory: "low_stock", below: 10 }`: the last reported stock level is below a number. */
type Params = { inventory: "low_stock"; below: number };

export const lowStock: ConditionKind<Params> = {
  tag: "low_stock",
  label: "Low stock",
  schema: v.strictObject({ inventory: v.literal("low_stock"), below: v.pipe(v.number("below is a number"), v.finite("below is a finite number")) }),
  check: (_p, { query }) => levelProblems(query),
  needs: (_p, at, windowMs) => [levelNeeds(at, windowMs)],
  judge(p, j) {
    const level = levelAt(j);
    return { firing: level !== null && level < p.below, value: level, threshold: p.below };
  },
  describe: (p) => `stock below ${p.below}`,
};
