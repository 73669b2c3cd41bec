import type { Db } from "../db/connection";
import { summarize, walkEntity } from "../funnels/engine";
import { FUNNEL_SOURCES, type ResolvedStep } from "../funnels/sources";
import type { TimeBucket } from "../funnels/time-buckets";
import type { Goal } from "./goals";
import { matches, type Hit } from "../web/query/filters";
import { withGoalTests } from "../web/query/goal-filters";
import { parseWebQuery } from "../web/query/parse";
import type { Filter } from "../web/query/types";

/**
 * A goal's time to convert, visit start → goal (DESIGN.md "Goals and funnels"): the one funnel
 * engine over the two steps [the visit's start, the goal] per web visitor. The engine chains a
 * goal to the latest start before it, so each conversion is timed from the start of the visit it
 * happened in; a visitor's figure is their fastest. A visit starts 1 ms before its first hit
 * (src/funnels/web-source.ts), so the range is shifted by that 1 ms too.
 */
export type TimeToConvert = { visitors: number; median_seconds: number | null; distribution: TimeBucket[] };

// A privacy-mode visitor id lasts one UTC day; no visit outlasts that.
const WINDOW_MS = 86_400_000;

export const goalStep = (goal: Pick<Goal, "name" | "page" | "event" | "properties">): ResolvedStep =>
  goal.page !== null ? { name: goal.name, page: goal.page } : { name: goal.name, event: goal.event!, properties: goal.properties };

/** `query`: a web query whose filters a goal hit must pass to count (the dashboard's, with the goal's own). */
export function goalTimeToConvert(db: Db, productId: string, goal: Goal, range: { from: number; to: number }, query?: { filters?: unknown[] }): TimeToConvert {
  let keep: ((h: Hit) => boolean) | undefined;
  if (query?.filters?.length) {
    const filter: Filter = { op: "and", filters: withGoalTests(db.$client, productId, parseWebQuery({ metrics: ["visitors"], date_range: "day", filters: query.filters }).filters) };
    keep = (h) => matches(filter, h);
  }
  const steps: ResolvedStep[] = [{ name: "Visit", visitStart: true }, goalStep(goal)];
  const w = { from: range.from - 1, to: range.to - 1, windowMs: WINDOW_MS };
  const results = [];
  for (const e of FUNNEL_SOURCES.visitor.read(db, productId, steps, { from: w.from, to: w.to + WINDOW_MS }, null, keep)) results.push(walkEntity(e.matches, 2, w));
  const step = summarize(results, 2)[1]!;
  return { visitors: step.visitors, median_seconds: step.median_seconds_to_convert, distribution: step.time_to_convert };
}
