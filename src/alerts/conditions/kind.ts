import type * as v from "valibot";
import type { Range, SourceQuery } from "../minute-data";

/**
 * An alert condition kind (a registry entry, one module each, listed in ./index.ts). A kind says
 * which minutes it needs to judge a boundary, then judges it from their window values. A
 * condition's JSON names its kind by `anomaly`, `inventory`, or (a plain threshold) `op`.
 */
export type Verdict = { firing: boolean; value: number | null; threshold: number | null };

/** "main": the rule's query; "sales": an inventory rule's sales metric (summed). */
export type SourceName = "main" | "sales";

export type Judge = {
  at: number; // the boundary: the window is [at − windowMs, at)
  windowMs: number;
  zone: string;
  /** The source's aggregation over [from, to). */
  value(source: SourceName, from: number, to: number): number | null;
  /** The source's value in its last minute with data inside [from, to). */
  latest(source: SourceName, from: number, to: number): number | null;
};

export type ConditionKind<P = any> = {
  /** The value of `anomaly` / `inventory`, or "threshold". */
  tag: string;
  label: string;
  schema: v.GenericSchema<unknown, P>;
  /** Cross-field checks the schema cannot make: [field, message] pairs. */
  check?(p: P, ctx: { windowMs: number; query: SourceQuery }): [string, string][];
  /** Extra sources (beyond "main") this condition reads, as queries. */
  sources?(p: P, main: SourceQuery): Partial<Record<SourceName, SourceQuery>>;
  needs(p: P, at: number, windowMs: number, zone: string): { source: SourceName; range: Range }[];
  judge(p: P, j: Judge): Verdict;
  /** Plain words: "sum over 1h above 50". */
  describe(p: P): string;
};

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation. */
export const stdDev = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
