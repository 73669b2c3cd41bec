import { and, asc, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { goals } from "../db/schema";
import { badRequest, conflict, notFound } from "../lib/errors";
import { nameProblem } from "../lib/names";
import { newId } from "../lib/tokens";
import { PropertyMatchSchema, type PropertyMatch } from "./property-match";

/**
 * Goals (DESIGN.md "Goals and funnels"): a page pattern (`/thank-you*`) or an event name with
 * property filters; with `currency` an event goal is a revenue goal. At most 10 through the UI's
 * presets, no limit through the API.
 */
export type Goal = {
  id: string;
  name: string;
  page: string | null;
  event: string | null;
  properties: PropertyMatch | null;
  currency: string | null;
  createdAt: number;
};

export const UI_GOAL_LIMIT = 10;

const PageSchema = v.pipe(
  v.string("page is a path pattern like /thank-you*"),
  v.trim(),
  v.startsWith("/", "page starts with / (a path pattern like /pricing or /blog/*)"),
  v.maxLength(500, "page is at most 500 characters"),
  v.regex(/^[^\s\u0000-\u001f]*$/, "page has no spaces or control characters"),
);
const EventNameSchema = v.pipe(
  v.string("event is the event's name"),
  v.check((s) => nameProblem(s, "event") === null, "event must be 1–200 characters without control characters or surrounding spaces"),
);

export const GoalInputSchema = v.pipe(
  v.strictObject(
    {
      name: v.pipe(v.string("name is required"), v.trim(), v.nonEmpty("name is required"), v.maxLength(120, "name is at most 120 characters")),
      page: v.optional(PageSchema),
      event: v.optional(EventNameSchema),
      properties: v.optional(PropertyMatchSchema),
      currency: v.optional(v.pipe(v.string("currency is an ISO 4217 code"), v.regex(/^[A-Z]{3}$/, "currency is an ISO 4217 code like USD"))),
    },
    "A goal is { name, page } or { name, event, properties?, currency? } and nothing else",
  ),
  v.check((g) => (g.page === undefined) !== (g.event === undefined), "A goal has either page or event, not both"),
  v.check((g) => g.page === undefined || (g.properties === undefined && g.currency === undefined), "properties and currency belong to event goals"),
);
export type GoalInput = v.InferOutput<typeof GoalInputSchema>;

/** The field a whole-object refusal is about, for the one error shape. */
function goalField(input: unknown): string {
  const o = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
  return o.page !== undefined && o.event !== undefined ? "page" : "goal";
}

function parseGoal(input: unknown): GoalInput {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw badRequest("invalid_goal", "A goal is a JSON object", "goal");
  const r = v.safeParse(GoalInputSchema, input);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  throw badRequest("invalid_goal", issue.message, issue.path?.map((p) => String(p.key)).join(".") || goalField(input));
}

const toGoal = (row: typeof goals.$inferSelect): Goal => ({
  id: row.id,
  name: row.name,
  page: row.page,
  event: row.event,
  properties: row.properties ? (JSON.parse(row.properties) as PropertyMatch) : null,
  currency: row.currency,
  createdAt: row.createdAt,
});

export function listGoals(db: Db, productId: string): Goal[] {
  return db.select().from(goals).where(eq(goals.productId, productId)).orderBy(asc(goals.createdAt), asc(goals.name)).all().map(toGoal);
}

export function getGoal(db: Db, productId: string, goalId: string): Goal {
  const row = db.select().from(goals).where(and(eq(goals.productId, productId), eq(goals.id, goalId))).get();
  if (!row) throw notFound("No such goal");
  return toGoal(row);
}

/** The product a goal belongs to (for THE access check of routes that name a goal). */
export function productOfGoal(db: Db, goalId: string): string | undefined {
  return db.select({ productId: goals.productId }).from(goals).where(eq(goals.id, goalId)).get()?.productId;
}

export function findGoalByName(db: Db, productId: string, name: string): Goal | undefined {
  const row = db.select().from(goals).where(and(eq(goals.productId, productId), eq(goals.name, name))).get();
  return row ? toGoal(row) : undefined;
}

function assertNameFree(db: Db, productId: string, name: string, except?: string) {
  const other = findGoalByName(db, productId, name);
  if (other && other.id !== except) throw conflict("goal_exists", `A goal named "${name}" exists already`, "name");
}

const columns = (g: GoalInput) => ({
  name: g.name,
  page: g.page ?? null,
  event: g.event ?? null,
  properties: g.properties ? JSON.stringify(g.properties) : null,
  currency: g.currency ?? null,
});

export function createGoal(db: Db, productId: string, input: unknown, now: number, opts: { limit?: number } = {}): Goal {
  const g = parseGoal(input);
  assertNameFree(db, productId, g.name);
  if (opts.limit !== undefined && listGoals(db, productId).length >= opts.limit)
    throw conflict("goal_limit", `At most ${opts.limit} goals here; more can be added through the API`, "name");
  const row = db.insert(goals).values({ id: newId(), productId, createdAt: now, ...columns(g) }).returning().get();
  return toGoal(row);
}

/** PATCH semantics: the given fields replace the stored ones; the result must still be a goal. */
export function updateGoal(db: Db, productId: string, goalId: string, patch: unknown): Goal {
  const before = getGoal(db, productId, goalId);
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) throw badRequest("invalid_goal", "The body is a JSON object", "goal");
  const merged: Record<string, unknown> = { name: before.name };
  if (before.page !== null) merged.page = before.page;
  if (before.event !== null) merged.event = before.event;
  if (before.properties) merged.properties = before.properties;
  if (before.currency) merged.currency = before.currency;
  const p = patch as Record<string, unknown>;
  // Switching kinds: naming `page` drops the event fields and the other way round.
  if ("page" in p) for (const k of ["event", "properties", "currency"]) delete merged[k];
  if ("event" in p) delete merged.page;
  for (const [k, val] of Object.entries(p)) {
    if (val === null) delete merged[k];
    else merged[k] = val;
  }
  const g = parseGoal(merged);
  assertNameFree(db, productId, g.name, goalId);
  const row = db.update(goals).set(columns(g)).where(and(eq(goals.productId, productId), eq(goals.id, goalId))).returning().get();
  return toGoal(row!);
}

export function deleteGoal(db: Db, productId: string, goalId: string): void {
  const { changes } = db.$client.prepare("DELETE FROM goals WHERE product_id = ? AND id = ?").run(productId, goalId);
  if (changes === 0) throw notFound("No such goal");
}
