import { and, asc, eq, sql } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { widgets } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { displayNameSchema } from "../lib/names";
import { getDashboard } from "./dashboards";
import { WidgetConfigSchema, type WidgetConfig } from "./widget-config";
import { kindDef, WIDGET_KINDS, type WidgetKind } from "./kinds";

/** Widgets of a dashboard (FR-4.4–4.6). The config is validated on every write and on every read. */
export type WidgetRow = typeof widgets.$inferSelect;
/** A stored widget with its config parsed; `problem` says why a stale or broken one cannot be drawn. */
export type Widget = Omit<WidgetRow, "config" | "kind"> & { kind: WidgetKind; config: WidgetConfig | null; problem: string | null };
export type WidgetInput = { kind: WidgetKind; title: string; config: WidgetConfig };

export const WidgetTitleSchema = displayNameSchema(100, { required: false });
const KindSchema = v.picklist(WIDGET_KINDS, "Pick a visualization");

/** A title people recognise when they leave it empty: "signups · sum". */
export const defaultTitle = (config: Pick<WidgetConfig, "metric" | "aggregation">) => `${config.metric} · ${config.aggregation}`;

/** Throws the one error type with every field problem, so a form can show each next to its input. */
export function validateWidgetInput(input: { kind: unknown; title: unknown; config: unknown }): WidgetInput {
  const errors: { field: string; message: string }[] = [];
  const kind = v.safeParse(KindSchema, input.kind);
  if (!kind.success) errors.push({ field: "kind", message: kind.issues[0].message });
  const title = v.safeParse(WidgetTitleSchema, input.title ?? "");
  if (!title.success) errors.push({ field: "title", message: title.issues[0].message });
  // A kind that always reads one insight names its metric itself.
  const fixed = kind.success ? kindDef(kind.output).metric : undefined;
  const config = v.safeParse(WidgetConfigSchema, fixed && input.config && typeof input.config === "object" ? { ...input.config, metric: fixed } : input.config);
  if (!config.success) {
    for (const issue of config.issues) errors.push({ field: v.getDotPath(issue) ?? "config", message: issue.message });
  }
  if (kind.success && config.success && kindDef(kind.output).series && !config.output.granularity) {
    errors.push({ field: "granularity", message: "Pick a granularity" });
  }
  if (errors.length || !kind.success || !config.success || !title.success) {
    throw new AppError(400, "invalid_widget", errors[0]?.message ?? "Invalid widget", {
      field: errors[0]?.field,
      errors: errors.map((e) => ({ index: null, field: e.field, message: e.message })),
    });
  }
  return { kind: kind.output, title: title.output || defaultTitle(config.output), config: config.output };
}

/** A row as the pages use it; never throws (a broken row becomes a widget with a `problem`). */
export function parseWidget(row: WidgetRow): Widget {
  const { config: text, kind, ...rest } = row;
  if (!(WIDGET_KINDS as readonly string[]).includes(kind)) {
    return { ...rest, kind: "number", config: null, problem: `Unknown visualization "${kind}"` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ...rest, kind: kind as WidgetKind, config: null, problem: "The stored configuration is not valid JSON" };
  }
  const parsed = v.safeParse(WidgetConfigSchema, json);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue);
    return { ...rest, kind: kind as WidgetKind, config: null, problem: `${path ? path + ": " : ""}${issue.message}` };
  }
  return { ...rest, kind: kind as WidgetKind, config: parsed.output, problem: null };
}

export function listWidgets(db: Db, productId: string, dashboardId: string): Widget[] {
  return db
    .select()
    .from(widgets)
    .where(and(eq(widgets.dashboardId, dashboardId), eq(widgets.productId, productId)))
    .orderBy(asc(widgets.position), asc(widgets.createdAt))
    .all()
    .map(parseWidget);
}

export function getWidget(db: Db, productId: string, dashboardId: string, widgetId: string): Widget {
  const row = db
    .select()
    .from(widgets)
    .where(and(eq(widgets.id, widgetId), eq(widgets.dashboardId, dashboardId), eq(widgets.productId, productId)))
    .get();
  if (!row) throw notFound("No such widget");
  return parseWidget(row);
}

/** Appends a widget at the end of the dashboard. */
export function addWidget(db: Db, productId: string, dashboardId: string, input: WidgetInput, now: number): Widget {
  getDashboard(db, productId, dashboardId); // 404 for a dashboard of another product
  const valid = validateWidgetInput(input);
  const last = db
    .select({ max: sql<number | null>`max(${widgets.position})` })
    .from(widgets)
    .where(eq(widgets.dashboardId, dashboardId))
    .get();
  const row: WidgetRow = {
    id: newId(),
    productId,
    dashboardId,
    position: (last?.max ?? -1) + 1,
    kind: valid.kind,
    title: valid.title,
    config: JSON.stringify(valid.config),
    createdAt: now,
    updatedAt: now,
  };
  db.insert(widgets).values(row).run();
  return parseWidget(row);
}

export function updateWidget(db: Db, productId: string, dashboardId: string, widgetId: string, input: WidgetInput, now: number): Widget {
  const valid = validateWidgetInput(input);
  const row = db
    .update(widgets)
    .set({ kind: valid.kind, title: valid.title, config: JSON.stringify(valid.config), updatedAt: now })
    .where(and(eq(widgets.id, widgetId), eq(widgets.dashboardId, dashboardId), eq(widgets.productId, productId)))
    .returning()
    .get();
  if (!row) throw notFound("No such widget");
  return parseWidget(row);
}

export function removeWidget(db: Db, productId: string, dashboardId: string, widgetId: string): void {
  const gone = db
    .delete(widgets)
    .where(and(eq(widgets.id, widgetId), eq(widgets.dashboardId, dashboardId), eq(widgets.productId, productId)))
    .returning({ id: widgets.id })
    .get();
  if (!gone) throw notFound("No such widget");
}

/**
 * Puts the widgets in the given order (drag and drop sends the whole list). Unknown ids are
 * ignored; widgets missing from the list (added meanwhile in another tab) keep their relative
 * order after the named ones.
 */
export function reorderWidgets(db: Db, productId: string, dashboardId: string, orderedIds: string[], now: number): Widget[] {
  return db.transaction((tx) => {
    const current = listWidgets(tx as unknown as Db, productId, dashboardId);
    const byId = new Map(current.map((w) => [w.id, w]));
    const named = [...new Set(orderedIds)].filter((id) => byId.has(id));
    const rest = current.filter((w) => !named.includes(w.id)).map((w) => w.id);
    [...named, ...rest].forEach((id, position) => {
      if (byId.get(id)!.position !== position) tx.update(widgets).set({ position, updatedAt: now }).where(eq(widgets.id, id)).run();
    });
    return listWidgets(tx as unknown as Db, productId, dashboardId);
  });
}

/** Keyboard reordering: one step earlier (-1) or later (+1). */
export function moveWidget(db: Db, productId: string, dashboardId: string, widgetId: string, step: -1 | 1, now: number): Widget[] {
  const ids = listWidgets(db, productId, dashboardId).map((w) => w.id);
  const i = ids.indexOf(widgetId);
  if (i < 0) throw notFound("No such widget");
  const j = i + step;
  if (j < 0 || j >= ids.length) return listWidgets(db, productId, dashboardId);
  [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  return reorderWidgets(db, productId, dashboardId, ids, now);
}
