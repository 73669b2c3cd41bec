import * as v from "valibot";
import type { Db } from "../db/connection";
import { badRequest } from "../lib/errors";
import { eventsReaderFor } from "../storage";
import { nameProblem } from "../lib/names";
import { findGoalByName } from "../goals/goals";
import { PropertyMatchSchema } from "../goals/property-match";
import { summarize, walkEntity, type EntityResult, type StepSummary } from "./engine";
import { resolveFunnelRange } from "./date-range";
import { firstVisit } from "../web/query/run";
import { formatInZone } from "../lib/time/calendar";
import { FUNNEL_SOURCES, type EntityKind, type ResolvedStep } from "./sources";
import { twoProportionPValue } from "./ab-test";

/**
 * `POST /api/v1/insights/funnel` (DESIGN.md "Goals and funnels"): the request checked, its steps
 * resolved (a goal step becomes the goal's page or event), the entities' matches read from the
 * source of their kind and walked by the one engine.
 */
const MAX_STEPS = 8;
const MAX_WINDOW_MS = 90 * 86_400_000;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

const StepSchema = v.union(
  [
    v.strictObject({ event: v.pipe(v.string(), v.check((s) => nameProblem(s, "event") === null, "event is an event name")), properties: v.optional(PropertyMatchSchema), name: v.optional(v.string()) }),
    v.strictObject({ page: v.pipe(v.string(), v.startsWith("/", "page starts with /"), v.maxLength(500)), name: v.optional(v.string()) }),
    v.strictObject({ goal: v.pipe(v.string(), v.nonEmpty("goal names a goal")), name: v.optional(v.string()) }),
  ],
  'a step is { "event": "signup", "properties"?: {…} }, { "page": "/pricing*" } or { "goal": "<goal name>" }',
);

export const FunnelInputSchema = v.strictObject({
  steps: v.pipe(v.array(StepSchema, "steps is a list"), v.minLength(2, "a funnel has at least 2 steps"), v.maxLength(MAX_STEPS, `a funnel has at most ${MAX_STEPS} steps`)),
  by: v.optional(v.picklist(["visitor", "user"], 'by is "visitor" or "user"')),
  window: v.optional(v.pipe(v.string(), v.regex(/^[1-9]\d{0,4}(m|h|d|w)$/, 'window is like "30m", "24h", "7d" or "2w"'))),
  date_range: v.optional(v.unknown()), // checked by the one date_range parser, with its messages
  breakdown: v.optional(v.pipe(v.string(), v.regex(/^[^"\\\u0000-\u001f]{1,64}$/, "breakdown is a property name"))),
  compare: v.optional(v.literal("previous_period", 'compare is "previous_period"')),
  timezone: v.optional(v.string()),
});
export type FunnelInput = v.InferOutput<typeof FunnelInputSchema>;

export type FunnelStepAnswer = StepSummary & { name: string };
export type FunnelAnswer = {
  steps: FunnelStepAnswer[];
  by: EntityKind;
  window: string;
  date_range: [string, string];
  breakdown?: { value: string; steps: FunnelStepAnswer[]; p_value: number | null }[];
  comparison?: { date_range: [string, string]; steps: FunnelStepAnswer[] };
};

export function parseWindow(w: string): number {
  const ms = Number(w.slice(0, -1)) * UNIT_MS[w.at(-1) as keyof typeof UNIT_MS];
  if (ms > MAX_WINDOW_MS) throw badRequest("invalid_funnel", "window is at most 90 days", "window");
  return ms;
}

function parseInput(body: unknown): FunnelInput {
  const r = v.safeParse(FunnelInputSchema, body);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  throw badRequest("invalid_funnel", issue.message, issue.path?.map((p) => String(p.key)).join(".") || "funnel");
}

function resolveSteps(db: Db, productId: string, input: FunnelInput): ResolvedStep[] {
  return input.steps.map((s, i) => {
    if ("goal" in s) {
      const goal = findGoalByName(db, productId, s.goal);
      if (!goal) throw badRequest("invalid_funnel", `No goal named "${s.goal}"`, `steps.${i}.goal`);
      return goal.page !== null ? { name: s.name ?? goal.name, page: goal.page } : { name: s.name ?? goal.name, event: goal.event!, properties: goal.properties };
    }
    if ("page" in s) return { name: s.name ?? s.page, page: s.page };
    return { name: s.name ?? s.event, event: s.event, properties: s.properties ?? null };
  });
}

/** When the product's first event happened: where a per-user funnel's `date_range: "all"` starts. */
function firstEvent(db: Db, productId: string): number | null {
  return eventsReaderFor(db.$client).firstEventTime(productId);
}

/** Runs a funnel for a product whose zone is `zone`. */
export function runFunnel(db: Db, product: { id: string; timezone: string }, body: unknown, now: number): FunnelAnswer {
  const input = parseInput(body);
  const steps = resolveSteps(db, product.id, input);
  const hasWebStep = steps.some((s) => "page" in s);
  // Pages and goals are web ideas, counted per visitor; product events per user (DESIGN.md).
  const by: EntityKind = input.by ?? (hasWebStep || input.steps.some((s) => "goal" in s) ? "visitor" : "user");
  if (by === "user" && hasWebStep) throw badRequest("invalid_funnel", 'page steps are counted per visitor (by: "visitor")', "by");
  const window = input.window ?? "7d";
  const windowMs = parseWindow(window);
  const zone = input.timezone ?? product.timezone;
  const range = resolveFunnelRange(input.date_range, zone, now, () => (by === "visitor" ? firstVisit(db.$client, product.id) : firstEvent(db, product.id)));

  const run = (from: number, to: number) => {
    const entities = FUNNEL_SOURCES[by].read(db, product.id, steps, { from, to: to + windowMs }, input.breakdown ?? null);
    const w = { from, to, windowMs };
    const results: { group: string; r: EntityResult }[] = [];
    for (const e of entities) results.push({ group: e.breakdown ?? "", r: walkEntity(e.matches, steps.length, w) });
    return results;
  };
  const named = (summary: StepSummary[]): FunnelStepAnswer[] => summary.map((s, i) => ({ name: steps[i]!.name, ...s }));

  const results = run(range.from, range.to);
  const answer: FunnelAnswer = {
    steps: named(summarize(results.map((x) => x.r), steps.length)),
    by,
    window,
    date_range: [range.label[0], range.label[1]],
  };
  if (input.breakdown) answer.breakdown = breakdownOf(results, steps.length, named);
  if (input.compare) {
    const span = range.to - range.from;
    answer.comparison = { date_range: [formatInZone(zone, range.from - span), formatInZone(zone, range.from - 1)], steps: named(summarize(run(range.from - span, range.from).map((x) => x.r), steps.length)) };
  }
  return answer;
}

/**
 * Per value of the breakdown property on the entity's first first-step event: the funnel, and
 * for A/B tests the two-proportion z-test p-value of its conversion (last step over first)
 * against the first value (alphabetically, or the one named "control").
 */
function breakdownOf(results: { group: string; r: EntityResult }[], steps: number, named: (s: StepSummary[]) => FunnelStepAnswer[]) {
  const groups = new Map<string, EntityResult[]>();
  for (const { group, r } of results) {
    if (r.level === 0) continue;
    let list = groups.get(group);
    if (!list) groups.set(group, (list = []));
    list.push(r);
  }
  const rows = [...groups].map(([value, rs]) => ({ value, steps: named(summarize(rs, steps)) }));
  rows.sort((a, b) => (a.value === "control" ? -1 : b.value === "control" ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  const base = rows[0];
  return rows.map((row, i) => ({
    ...row,
    p_value: i === 0 || !base ? null : twoProportionPValue(base.steps[0]!.visitors, base.steps.at(-1)!.visitors, row.steps[0]!.visitors, row.steps.at(-1)!.visitors),
  }));
}
