import * as v from "valibot";
import type { ConditionKind } from "./kind";

/** `{ op: ">", value: 50 }`: the window's value compared with a number. */
const OPS = [">", ">=", "<", "<="] as const;
type Op = (typeof OPS)[number];
type Params = { op: Op; value: number };

export const compare = (a: number, op: Op, b: number) => (op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b);

export const threshold: ConditionKind<Params> = {
  tag: "threshold",
  label: "Threshold",
  schema: v.strictObject({
    op: v.picklist(OPS, 'op is one of ">", ">=", "<", "<="'),
    value: v.pipe(v.number("value is a number"), v.finite("value is a finite number")),
  }),
  needs: (_p, at, windowMs) => [{ source: "main", range: { from: at - windowMs, to: at } }],
  judge(p, j) {
    const value = j.value("main", j.at - j.windowMs, j.at);
    return { firing: value !== null && compare(value, p.op, p.value), value, threshold: p.value };
  },
  describe: (p) => `${p.op} ${p.value}`,
};
