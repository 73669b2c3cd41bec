import { and, asc, eq, sql } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { dashboards } from "../db/schema";
import { parseOrThrow } from "../lib/validate";
import { displayNameSchema } from "../lib/names";
import { notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { DashboardRangeSchema } from "./range";

/** Dashboards of a product (FR-4.1–4.3). Every function takes the product id: one tenant, one query. */
export type Dashboard = typeof dashboards.$inferSelect;

export const DashboardNameSchema = displayNameSchema(100);

export function listDashboards(db: Db, productId: string): Dashboard[] {
  return db.select().from(dashboards).where(eq(dashboards.productId, productId)).orderBy(asc(dashboards.position), asc(dashboards.createdAt)).all();
}

/** The dashboard, or 404 when it does not exist in this product (another tenant's id is "not found"). */
export function getDashboard(db: Db, productId: string, dashboardId: string): Dashboard {
  const row = db.select().from(dashboards).where(and(eq(dashboards.id, dashboardId), eq(dashboards.productId, productId))).get();
  if (!row) throw notFound("No such dashboard");
  return row;
}

/** New dashboards go to the end of the list. */
export function createDashboard(db: Db, productId: string, input: { name: string }, now: number): Dashboard {
  const name = parseOrThrow(DashboardNameSchema, input.name, "name");
  const last = db
    .select({ max: sql<number | null>`max(${dashboards.position})` })
    .from(dashboards)
    .where(eq(dashboards.productId, productId))
    .get();
  const dashboard: Dashboard = { id: newId(), productId, name, range: null, position: (last?.max ?? -1) + 1, createdAt: now, updatedAt: now };
  db.insert(dashboards).values(dashboard).run();
  return dashboard;
}

export function renameDashboard(db: Db, productId: string, dashboardId: string, input: { name: string }, now: number): Dashboard {
  const name = parseOrThrow(DashboardNameSchema, input.name, "name");
  const row = db
    .update(dashboards)
    .set({ name, updatedAt: now })
    .where(and(eq(dashboards.id, dashboardId), eq(dashboards.productId, productId)))
    .returning()
    .get();
  if (!row) throw notFound("No such dashboard");
  return row;
}

/**
 * The dashboard-wide range ("7d", "custom:<from>/<to>") that overrides every widget's own range;
 * null or "" gives each widget its own range back. Reports cover this range too.
 */
export function setDashboardRange(db: Db, productId: string, dashboardId: string, range: string | null, now: number): Dashboard {
  const value = range ? parseOrThrow(DashboardRangeSchema, range, "range") : null;
  const row = db
    .update(dashboards)
    .set({ range: value, updatedAt: now })
    .where(and(eq(dashboards.id, dashboardId), eq(dashboards.productId, productId)))
    .returning()
    .get();
  if (!row) throw notFound("No such dashboard");
  return row;
}

/** Widgets, reports and their deliveries go with it (ON DELETE CASCADE). */
export function deleteDashboard(db: Db, productId: string, dashboardId: string): void {
  const gone = db.delete(dashboards).where(and(eq(dashboards.id, dashboardId), eq(dashboards.productId, productId))).returning({ id: dashboards.id }).get();
  if (!gone) throw notFound("No such dashboard");
}

/**
 * Puts the dashboards in the given order. Ids of other products are ignored; dashboards missing
 * from the list keep their relative order after the named ones (a concurrent create is not lost).
 */
export function reorderDashboards(db: Db, productId: string, orderedIds: string[], now: number): Dashboard[] {
  return db.transaction((tx) => {
    const current = listDashboards(tx as unknown as Db, productId);
    const byId = new Map(current.map((d) => [d.id, d]));
    const named = [...new Set(orderedIds)].filter((id) => byId.has(id));
    const rest = current.filter((d) => !named.includes(d.id)).map((d) => d.id);
    [...named, ...rest].forEach((id, position) => {
      if (byId.get(id)!.position !== position) {
        tx.update(dashboards).set({ position, updatedAt: now }).where(eq(dashboards.id, id)).run();
      }
    });
    return listDashboards(tx as unknown as Db, productId);
  });
}

/** Moves one dashboard a step earlier (-1) or later (+1) in the list. */
export function moveDashboard(db: Db, productId: string, dashboardId: string, step: -1 | 1, now: number): Dashboard[] {
  const ids = listDashboards(db, productId).map((d) => d.id);
  const i = ids.indexOf(dashboardId);
  if (i < 0) throw notFound("No such dashboard");
  const j = i + step;
  if (j < 0 || j >= ids.length) return listDashboards(db, productId);
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  return reorderDashboards(db, productId, ids, now);
}
