import { and, asc, desc, eq, inArray, sql, isNull } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { dashboards, products, reportDeliveries, reportRecipients, reports } from "../db/schema";
import { EmailSchema } from "../lib/validate";
import { getDashboard } from "../dashboards/dashboards";
import { AppError, notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { FREQUENCIES, nextRunAfter, parseTimeOfDay, type Schedule } from "./schedule";

/**
 * Email report schedules of a dashboard (FR-6.x) and their recipients. Every function takes the
 * product id: one tenant, one query. `next_run_at` is the watermark the job reads: the next
 * scheduled instant not yet handled; every change of schedule (or a resume) recomputes it from now.
 */
export type Report = typeof reports.$inferSelect;
export type Recipient = typeof reportRecipients.$inferSelect;
export type Delivery = typeof reportDeliveries.$inferSelect;
export type ReportWithRecipients = Report & { recipients: Recipient[] };
export type ReportInput = Schedule & { recipients: string[] };

export const MAX_RECIPIENTS = 50;

/** Raw form fields → a valid schedule and recipient list, or one AppError listing every problem by field. */
export function validateReportInput(input: { frequency: unknown; weekday: unknown; monthDay: unknown; timeOfDay: unknown; recipients: unknown }): ReportInput {
  const errors: { field: string; message: string }[] = [];
  const frequency = v.safeParse(v.picklist(FREQUENCIES), input.frequency);
  if (!frequency.success) errors.push({ field: "frequency", message: "Pick daily, weekly or monthly" });
  const weekday = toInt(input.weekday);
  const monthDay = toInt(input.monthDay);
  if (frequency.output === "weekly" && !(weekday !== null && weekday >= 1 && weekday <= 7)) errors.push({ field: "weekday", message: "Pick a day of the week" });
  if (frequency.output === "monthly" && !(monthDay !== null && monthDay >= 1 && monthDay <= 31)) errors.push({ field: "monthDay", message: "Pick a day of the month, 1 to 31" });
  const timeOfDay = typeof input.timeOfDay === "string" ? input.timeOfDay.trim() : "";
  if (!parseTimeOfDay(timeOfDay)) errors.push({ field: "timeOfDay", message: "Enter a time of day as HH:MM, like 09:00" });
  const recipients = parseRecipients(input.recipients);
  if ("error" in recipients) errors.push({ field: "recipients", message: recipients.error });
  if (errors.length) {
    throw new AppError(400, "invalid_report", errors[0]!.message, { field: errors[0]!.field, errors: errors.map((e) => ({ index: null, ...e })) });
  }
  const f = frequency.output as Schedule["frequency"];
  return {
    frequency: f,
    weekday: f === "weekly" ? weekday : null,
    monthDay: f === "monthly" ? monthDay : null,
    timeOfDay,
    recipients: (recipients as { emails: string[] }).emails,
  };
}

/**
 * Addresses separated by commas, semicolons, spaces or new lines. Each is checked on its own so
 * the message names the bad one; duplicates (case-insensitive) count once.
 */
export function parseRecipients(raw: unknown): { emails: string[] } | { error: string } {
  const list = (Array.isArray(raw) ? raw.join("\n") : typeof raw === "string" ? raw : "").split(/[\s,;]+/).filter(Boolean);
  if (!list.length) return { error: "Add at least one recipient's email address" };
  const emails: string[] = [];
  const bad: string[] = [];
  for (const item of list) {
    const parsed = v.safeParse(EmailSchema, item);
    if (!parsed.success) bad.push(item);
    else if (!emails.includes(parsed.output)) emails.push(parsed.output);
  }
  if (bad.length === 1) return { error: `"${clip(bad[0]!)}" is not a valid email address; fix it or remove it` };
  if (bad.length) return { error: `These are not valid email addresses: ${bad.slice(0, 5).map((b) => `"${clip(b)}"`).join(", ")}${bad.length > 5 ? ` and ${bad.length - 5} more` : ""}` };
  if (emails.length > MAX_RECIPIENTS) return { error: `At most ${MAX_RECIPIENTS} recipients per report (you entered ${emails.length})` };
  return { emails };
}

const clip = (s: string) => (s.length > 60 ? s.slice(0, 57) + "…" : s);
const toInt = (x: unknown) => (typeof x === "number" ? x : typeof x === "string" && /^\d{1,2}$/.test(x.trim()) ? Number(x) : null);

export function listReports(db: Db, productId: string, dashboardId: string): ReportWithRecipients[] {
  const rows = db
    .select()
    .from(reports)
    .where(and(eq(reports.productId, productId), eq(reports.dashboardId, dashboardId)))
    .orderBy(asc(reports.createdAt))
    .all();
  return withRecipients(db, rows);
}

export function getReport(db: Db, productId: string, dashboardId: string, reportId: string): ReportWithRecipients {
  const row = db
    .select()
    .from(reports)
    .where(and(eq(reports.id, reportId), eq(reports.productId, productId), eq(reports.dashboardId, dashboardId)))
    .get();
  if (!row) throw notFound("No such report");
  return withRecipients(db, [row])[0]!;
}

function withRecipients(db: Db, rows: Report[]): ReportWithRecipients[] {
  if (!rows.length) return [];
  const all = db
    .select()
    .from(reportRecipients)
    .where(inArray(reportRecipients.reportId, rows.map((r) => r.id)))
    .orderBy(asc(reportRecipients.createdAt), sql`rowid`) // as entered
    .all();
  return rows.map((r) => ({ ...r, recipients: all.filter((x) => x.reportId === r.id) }));
}

export function createReport(db: Db, product: { id: string; timezone: string }, dashboardId: string, input: ReportInput, userId: string | null, now: number): ReportWithRecipients {
  getDashboard(db, product.id, dashboardId); // 404 for another product's dashboard
  const row: Report = {
    id: newId(),
    productId: product.id,
    dashboardId,
    frequency: input.frequency,
    weekday: input.weekday,
    monthDay: input.monthDay,
    timeOfDay: input.timeOfDay,
    pausedAt: null,
    nextRunAt: nextRunAfter(input, product.timezone, now),
    createdBy: userId,
    createdAt: now,
    updatedAt: now,
  };
  db.transaction((tx) => {
    tx.insert(reports).values(row).run();
    for (const email of input.recipients) tx.insert(reportRecipients).values({ id: newId(), reportId: row.id, productId: product.id, email, pausedAt: null, createdAt: now }).run();
  });
  return getReport(db, product.id, dashboardId, row.id);
}

/**
 * New schedule and recipient list. Recipients who stay keep their row (and so an unsubscribe
 * stays in force and their links keep working); removed ones are deleted, new ones added.
 */
export function updateReport(db: Db, product: { id: string; timezone: string }, dashboardId: string, reportId: string, input: ReportInput, now: number): ReportWithRecipients {
  const current = getReport(db, product.id, dashboardId, reportId);
  db.transaction((tx) => {
    tx.update(reports)
      .set({
        frequency: input.frequency,
        weekday: input.weekday,
        monthDay: input.monthDay,
        timeOfDay: input.timeOfDay,
        nextRunAt: nextRunAfter(input, product.timezone, now),
        updatedAt: now,
      })
      .where(eq(reports.id, reportId))
      .run();
    const keep = new Set(input.recipients);
    const gone = current.recipients.filter((r) => !keep.has(r.email)).map((r) => r.id);
    if (gone.length) tx.delete(reportRecipients).where(inArray(reportRecipients.id, gone)).run();
    const existing = new Set(current.recipients.map((r) => r.email));
    for (const email of input.recipients) {
      if (!existing.has(email)) tx.insert(reportRecipients).values({ id: newId(), reportId, productId: product.id, email, pausedAt: null, createdAt: now }).run();
    }
  });
  return getReport(db, product.id, dashboardId, reportId);
}

/** Pausing stops runs; resuming starts from the next scheduled instant (missed runs are not caught up). */
export function setReportPaused(db: Db, product: { id: string; timezone: string }, dashboardId: string, reportId: string, paused: boolean, now: number): ReportWithRecipients {
  const report = getReport(db, product.id, dashboardId, reportId);
  const set = paused ? { pausedAt: report.pausedAt ?? now, updatedAt: now } : { pausedAt: null, nextRunAt: nextRunAfter(report as Schedule, product.timezone, now), updatedAt: now };
  db.update(reports).set(set).where(eq(reports.id, reportId)).run();
  return getReport(db, product.id, dashboardId, reportId);
}

/**
 * A product moved to another time zone: every active report's next run is recomputed from now in
 * the new zone (a schedule says "09:00 local", so the instant changes with the zone).
 */
export function rescheduleProductReports(db: Db, product: { id: string; timezone: string }, now: number): number {
  const active = db.select().from(reports).where(and(eq(reports.productId, product.id), isNull(reports.pausedAt))).all();
  for (const report of active) {
    db.update(reports).set({ nextRunAt: nextRunAfter(report as Schedule, product.timezone, now), updatedAt: now }).where(eq(reports.id, report.id)).run();
  }
  return active.length;
}

/** Its recipients and delivery log go with it (ON DELETE CASCADE); the job finds nothing due any more. */
export function deleteReport(db: Db, productId: string, dashboardId: string, reportId: string): void {
  const gone = db
    .delete(reports)
    .where(and(eq(reports.id, reportId), eq(reports.productId, productId), eq(reports.dashboardId, dashboardId)))
    .returning({ id: reports.id })
    .get();
  if (!gone) throw notFound("No such report");
}

/** The newest deliveries of a report first (the log on the reports page). */
export function listDeliveries(db: Db, productId: string, reportId: string, limit = 20): Delivery[] {
  return db
    .select()
    .from(reportDeliveries)
    .where(and(eq(reportDeliveries.reportId, reportId), eq(reportDeliveries.productId, productId)))
    .orderBy(desc(reportDeliveries.createdAt), desc(reportDeliveries.scheduledFor))
    .limit(limit)
    .all();
}

/** The unsubscribe link's action: pauses (or resumes) only this recipient. */
export function setRecipientPaused(db: Db, recipientId: string, paused: boolean, now: number): Recipient | undefined {
  return db
    .update(reportRecipients)
    .set({ pausedAt: paused ? now : null })
    .where(eq(reportRecipients.id, recipientId))
    .returning()
    .get();
}

/** A recipient with the names their unsubscribe page shows; undefined once the recipient or report is gone. */
export function findRecipientReport(db: Db, recipientId: string): { recipient: Recipient; dashboardName: string; productName: string } | undefined {
  const row = db
    .select({ recipient: reportRecipients, dashboardName: dashboards.name, productName: products.name })
    .from(reportRecipients)
    .innerJoin(reports, eq(reports.id, reportRecipients.reportId))
    .innerJoin(dashboards, eq(dashboards.id, reports.dashboardId))
    .innerJoin(products, eq(products.id, reportRecipients.productId))
    .where(eq(reportRecipients.id, recipientId))
    .get();
  return row ?? undefined;
}
