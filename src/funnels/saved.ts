import { and, asc, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { funnels } from "../db/schema";
import { badRequest, notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { FunnelInputSchema, parseWindow } from "./funnel";
import { findGoalByName } from "../goals/goals";

/**
 * Saved funnels per product: a name and the funnel request without its range (the page or
 * widget showing it picks the range), checked by the same schema as the API's requests.
 */
const { date_range: _range, compare: _compare, ...definitionEntries } = FunnelInputSchema.entries;
export const FunnelDefinitionSchema = v.strictObject(definitionEntries);
export type FunnelDefinition = v.InferOutput<typeof FunnelDefinitionSchema>;
export type SavedFunnel = { id: string; name: string; definition: FunnelDefinition; createdAt: number; updatedAt: number };

const NameSchema = v.pipe(v.string("name is required"), v.trim(), v.nonEmpty("name is required"), v.maxLength(120, "name is at most 120 characters"));

function parseDefinition(db: Db, productId: string, input: unknown): { name: string; definition: FunnelDefinition } {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw badRequest("invalid_funnel", "A funnel is a JSON object", "funnel");
  const { name, ...rest } = input as Record<string, unknown>;
  const n = v.safeParse(NameSchema, name);
  if (!n.success) throw badRequest("invalid_funnel", n.issues[0]!.message, "name");
  const d = v.safeParse(FunnelDefinitionSchema, rest);
  if (!d.success) throw badRequest("invalid_funnel", d.issues[0]!.message, d.issues[0]!.path?.map((p) => String(p.key)).join(".") || "funnel");
  if (d.output.window) parseWindow(d.output.window);
  // A goal step must name a goal that exists now, not first fail when someone opens the funnel.
  d.output.steps.forEach((s, i) => {
    if ("goal" in s && !findGoalByName(db, productId, s.goal)) throw badRequest("invalid_funnel", `No goal named "${s.goal}"`, `steps.${i}.goal`);
  });
  return { name: n.output, definition: d.output };
}

const toSaved = (row: typeof funnels.$inferSelect): SavedFunnel => ({
  id: row.id,
  name: row.name,
  definition: JSON.parse(row.definition) as FunnelDefinition,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

export function listFunnels(db: Db, productId: string): SavedFunnel[] {
  return db.select().from(funnels).where(eq(funnels.productId, productId)).orderBy(asc(funnels.createdAt)).all().map(toSaved);
}

/** The product a saved funnel belongs to (for THE access check of routes that name one). */
export function productOfFunnel(db: Db, funnelId: string): string | undefined {
  return db.select({ productId: funnels.productId }).from(funnels).where(eq(funnels.id, funnelId)).get()?.productId;
}

export function getFunnel(db: Db, productId: string, funnelId: string): SavedFunnel {
  const row = db.select().from(funnels).where(and(eq(funnels.productId, productId), eq(funnels.id, funnelId))).get();
  if (!row) throw notFound("No such funnel");
  return toSaved(row);
}

export function createFunnel(db: Db, productId: string, input: unknown, now: number): SavedFunnel {
  const { name, definition } = parseDefinition(db, productId, input);
  const row = db.insert(funnels).values({ id: newId(), productId, name, definition: JSON.stringify(definition), createdAt: now, updatedAt: now }).returning().get();
  return toSaved(row);
}

export function updateFunnel(db: Db, productId: string, funnelId: string, input: unknown, now: number): SavedFunnel {
  const before = getFunnel(db, productId, funnelId);
  const patch = input && typeof input === "object" && !Array.isArray(input) ? (input as Record<string, unknown>) : null;
  if (!patch) throw badRequest("invalid_funnel", "A funnel is a JSON object", "funnel");
  const { name, definition } = parseDefinition(db, productId, { name: before.name, ...before.definition, ...patch });
  const row = db.update(funnels).set({ name, definition: JSON.stringify(definition), updatedAt: now }).where(and(eq(funnels.productId, productId), eq(funnels.id, funnelId))).returning().get();
  return toSaved(row!);
}

export function deleteFunnel(db: Db, productId: string, funnelId: string): void {
  const { changes } = db.$client.prepare("DELETE FROM funnels WHERE product_id = ? AND id = ?").run(productId, funnelId);
  if (changes === 0) throw notFound("No such funnel");
}
