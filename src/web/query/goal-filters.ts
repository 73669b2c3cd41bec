import type { Database } from "bun:sqlite";
import { globToRegExp } from "../enrich/glob";
import type { PropertyMatch } from "../../goals/property-match";
import type { Hit } from "./filters";
import type { Filter } from "./types";

/**
 * `event:goal` filters name the product's goals (DESIGN.md "Goals and funnels"), as Plausible's
 * goal filter does: a value that is a defined goal's name matches that goal's hits — a page goal
 * the page views whose path matches its glob (`*` within a segment, `**` across), an event goal
 * its custom events whose props match — and any other value a custom event of that name. So
 * `["is", "event:goal", ["Thank you"]]` works in /api/v2/query and on the web dashboard alike,
 * and conversion_rate follows.
 */
export type GoalTest = (h: Hit) => boolean;
type GoalRow = { name: string; page: string | null; event: string | null; properties: string | null };

export function goalTest(goal: { page: string | null; event: string | null; properties: PropertyMatch | null }): GoalTest {
  if (goal.page !== null) {
    const re = globToRegExp(goal.page);
    return (h) => h.e !== null && h.e.name === "pageview" && re.test(h.e.pathname);
  }
  const wanted = Object.entries(goal.properties ?? {}).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).map(String)] as const);
  return (h) => h.e !== null && h.e.name === goal.event && wanted.every(([k, options]) => h.props?.[k] !== undefined && options.includes(h.props[k]!));
}

/** The query's top-level event:goal filters with a test per value that names a defined goal. */
export function withGoalTests(reader: Database, productId: string, filters: Filter[]): Filter[] {
  if (!filters.some((f) => "dim" in f && f.dim === "event:goal")) return filters;
  const rows = reader.query("SELECT name, page, event, properties FROM goals WHERE product_id = ?").all(productId) as GoalRow[];
  if (!rows.length) return filters;
  return filters.map((f) => {
    if (!("dim" in f) || f.dim !== "event:goal" || (f.op !== "is" && f.op !== "is_not")) return f;
    const tests = f.values.map((value) => {
      const goal = rows.find((g) => (f.caseSensitive ? g.name === value : g.name.toLowerCase() === value.toLowerCase()));
      return goal ? goalTest({ page: goal.page, event: goal.event, properties: goal.properties ? (JSON.parse(goal.properties) as PropertyMatch) : null }) : null;
    });
    return tests.some((t) => t !== null) ? { ...f, goalTests: tests } : f;
  });
}
