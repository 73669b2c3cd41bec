import { and, asc, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { metricDefinitions } from "../db/schema";
import { AppError, conflict, notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { MetricQuerySchema, parseWith, resolveMetricQuery } from "../query/events/parse";

/**
 * Saved metric definitions (seed 002 §4.4 "Metric Library"): a `metrics/query` under a name and
 * a description. `metrics/query` with `metric: <name>` runs it (the request's own fields win, its
 * filter merged key by key); widgets and `GET /api/v1/metrics/:name` do the same.
 * Control-plane rows: written with `db` directly, like dashboards.
 */
const { metric: _metric, ...queryFields } = MetricQuerySchema.entries;
/** The saved part: a metrics/query without `metric`. */
export const SavedQuerySchema = v.strictObject(queryFields, "query is an object (a metrics/query without metric)");
export type SavedQuery = v.InferOutput<typeof SavedQuerySchema>;

const DefinitionName = MetricQuerySchema.entries.metric;
export const DefinitionInputSchema = v.strictObject(
  {
    name: DefinitionName,
    description: v.optional(v.pipe(v.string("description is text"), v.maxLength(500, "description is at most 500 characters"))),
    query: SavedQuerySchema,
  },
  "a metric definition is { name, description?, query }",
);
export const DefinitionPatchSchema = v.strictObject(
  { name: v.optional(DefinitionName), description: v.optional(DefinitionInputSchema.entries.description.wrapped), query: v.optional(SavedQuerySchema) },
  "a change is { name?, description?, query? }",
);

export type MetricDefinition = { name: string; description: string; query: SavedQuery; createdAt: string; updatedAt: string };
type Row = typeof metricDefinitions.$inferSelect;

const toDefinition = (r: Row): MetricDefinition => ({
  name: r.name,
  description: r.description,
  query: JSON.parse(r.query) as SavedQuery,
  createdAt: new Date(r.createdAt).toISOString(),
  updatedAt: new Date(r.updatedAt).toISOString(),
});

export function listDefinitions(db: Db, productId: string): MetricDefinition[] {
  return db.select().from(metricDefinitions).where(eq(metricDefinitions.productId, productId)).orderBy(asc(metricDefinitions.name)).all().map(toDefinition);
}

export function findDefinition(db: Db, productId: string, name: string): MetricDefinition | null {
  const row = db.select().from(metricDefinitions).where(and(eq(metricDefinitions.productId, productId), eq(metricDefinitions.name, name))).get();
  return row ? toDefinition(row) : null;
}

export function getDefinition(db: Db, productId: string, name: string): MetricDefinition {
  const d = findDefinition(db, productId, name);
  if (!d) throw notFound(`No saved metric named "${name}"`);
  return d;
}

export function createDefinition(db: Db, productId: string, raw: unknown, opts: { now: number; userId: string | null; timezone: string }): MetricDefinition {
  const input = parseWith(DefinitionInputSchema, raw);
  checkRunnable(input.name, input.query, opts);
  if (findDefinition(db, productId, input.name)) throw conflict("metric_exists", `A saved metric named "${input.name}" already exists`, "name");
  db.insert(metricDefinitions)
    .values({ id: newId(), productId, name: input.name, description: input.description ?? "", query: JSON.stringify(input.query), createdBy: opts.userId, createdAt: opts.now, updatedAt: opts.now })
    .run();
  return getDefinition(db, productId, input.name);
}

export function updateDefinition(db: Db, productId: string, name: string, raw: unknown, opts: { now: number; timezone: string }): MetricDefinition {
  const current = getDefinition(db, productId, name);
  const patch = parseWith(DefinitionPatchSchema, raw);
  const next = { name: patch.name ?? current.name, description: patch.description ?? current.description, query: patch.query ?? current.query };
  checkRunnable(next.name, next.query, opts);
  if (next.name !== name && findDefinition(db, productId, next.name)) throw conflict("metric_exists", `A saved metric named "${next.name}" already exists`, "name");
  db.update(metricDefinitions)
    .set({ name: next.name, description: next.description, query: JSON.stringify(next.query), updatedAt: opts.now })
    .where(and(eq(metricDefinitions.productId, productId), eq(metricDefinitions.name, name)))
    .run();
  return getDefinition(db, productId, next.name);
}

export function deleteDefinition(db: Db, productId: string, name: string): void {
  const { changes } = db.$client.query("DELETE FROM metric_definitions WHERE product_id = ? AND name = ?").run(productId, name);
  if (changes === 0) throw notFound(`No saved metric named "${name}"`);
}

/** A definition is saved only if it runs: the same resolution a query gets, errors named under `query.`. */
function checkRunnable(name: string, query: SavedQuery, opts: { now: number; timezone: string }) {
  try {
    resolveMetricQuery({ ...query, metric: name }, { timezone: opts.timezone, now: opts.now });
  } catch (err) {
    if (err instanceof AppError && err.field) throw new AppError(err.status, err.code, err.message, { field: `query.${err.field}` });
    throw err;
  }
}

/**
 * A metrics/query body with its saved definition filled in, when `metric` names one: the
 * request's fields win, and its `filter` is merged over the saved one key by key (a saved
 * "signups by plan" asked for another timeRange keeps its event filter). Otherwise unchanged.
 */
export function withSavedMetric(db: Db, productId: string, body: Record<string, unknown>): Record<string, unknown> {
  if (typeof body.metric !== "string") return body;
  const def = findDefinition(db, productId, body.metric);
  if (!def) return body;
  const merged: Record<string, unknown> = { ...def.query, ...body };
  const own = body.filter;
  if (def.query.filter && own && typeof own === "object" && !Array.isArray(own)) merged.filter = { ...def.query.filter, ...own };
  return merged;
}
