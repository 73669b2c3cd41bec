import { eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { reportDeliveries, reports } from "../db/schema";
import { getDashboard } from "../dashboards/dashboards";
import { getProduct } from "../products/products";
import { notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { reportEmail } from "../../views/emails/report";
import { buildReportContent, type ReportContent } from "./report-content";
import { getReport, type Delivery, type ReportWithRecipients } from "./reports";
import { describeSchedule, type Schedule } from "./schedule";
import { unsubscribeUrl } from "./unsubscribe";

/**
 * One attempt at one delivery row: render the dashboard once, then send to each active
 * recipient not yet sent to, each with their own unsubscribe link. The list of addresses already
 * sent to is saved after every send, so a retry (or a restart after a crash) resumes with the
 * others instead of mailing someone twice. A failed scheduled run is retried 1, 5 and 15 minutes
 * after each failure (DESIGN.md), then recorded as failed with the error; a test send is tried once.
 */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 15 * 60_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

type Outcome = Pick<Delivery, "status" | "error" | "nextAttemptAt">;

export async function attemptDelivery(deps: Deps, deliveryId: string): Promise<Delivery | undefined> {
  const delivery = deps.db.select().from(reportDeliveries).where(eq(reportDeliveries.id, deliveryId)).get();
  if (!delivery || (delivery.status !== "pending" && delivery.status !== "retrying")) return delivery;
  const startedAt = deps.clock.now();
  const attempt = delivery.attempts + 1;
  update(deps, deliveryId, { status: "pending", attempts: attempt, nextAttemptAt: null, updatedAt: startedAt });
  const context = { reportId: delivery.reportId, deliveryId, productId: delivery.productId, attempt };

  let outcome: Outcome;
  try {
    outcome = await sendRun(deps, delivery);
  } catch (err) {
    outcome = { status: "failed", error: describeError(err), nextAttemptAt: null };
  }
  if (outcome.status === "failed" && !delivery.isTest && attempt < MAX_ATTEMPTS) {
    const delay = RETRY_DELAYS_MS[attempt - 1]!;
    outcome = { status: "retrying", error: outcome.error, nextAttemptAt: deps.clock.now() + delay };
    deps.log.warn("report delivery failed; retrying", { ...context, inSeconds: delay / 1000, error: outcome.error });
  } else if (outcome.status === "failed") {
    deps.log.error("report delivery failed", { ...context, error: outcome.error });
  }
  update(deps, deliveryId, { ...outcome, updatedAt: deps.clock.now() });
  return deps.db.select().from(reportDeliveries).where(eq(reportDeliveries.id, deliveryId)).get();
}

async function sendRun(deps: Deps, delivery: Delivery): Promise<Outcome> {
  const report = deps.db.select({ id: reports.id, dashboardId: reports.dashboardId }).from(reports).where(eq(reports.id, delivery.reportId)).get();
  const product = getProduct(deps.db, delivery.productId);
  if (!report || !product) throw notFound("The report or its product no longer exists");
  const full = getReport(deps.db, product.id, report.dashboardId, report.id);
  if (full.pausedAt && !delivery.isTest) return { status: "skipped", error: "The report was paused before this run was sent", nextAttemptAt: null };
  const sent: string[] = JSON.parse(delivery.recipients ?? "[]");
  const active = full.recipients.filter((r) => r.pausedAt === null);
  const todo = active.filter((r) => !sent.includes(r.email));
  if (!todo.length) {
    if (sent.length) return { status: "sent", error: null, nextAttemptAt: null };
    return { status: "skipped", error: full.recipients.length ? "Every recipient has unsubscribed" : "The report has no recipients", nextAttemptAt: null };
  }
  const dashboard = getDashboard(deps.db, product.id, report.dashboardId);
  // A scheduled run shows the data as of its scheduled instant, so a late or retried send says the same.
  const content = await buildReportContent(deps, product, dashboard, delivery.isTest ? deps.clock.now() : delivery.scheduledFor);
  const failures: string[] = [];
  let logged = false;
  for (const recipient of todo) {
    try {
      const result = await deps.mailer.send(mailFor(deps, full, content, recipient, delivery.isTest === 1));
      if (!result.delivered) logged = true;
      sent.push(recipient.email);
      update(deps, delivery.id, { recipients: JSON.stringify(sent), updatedAt: deps.clock.now() });
    } catch (err) {
      failures.push(`${recipient.email}: ${describeError(err)}`);
    }
  }
  deps.log.info("report rendered and sent", { reportId: full.id, deliveryId: delivery.id, widgets: content.widgets.length, renderMs: Math.round(content.renderMs), sent: sent.length, failed: failures.length });
  if (failures.length) return { status: "failed", error: failures.join("; "), nextAttemptAt: null };
  const note = logged ? "SMTP_URL is not set: the mail went to the server log and the outbox table, not to the recipients" : null;
  return { status: "sent", error: note, nextAttemptAt: null };
}

function mailFor(deps: Deps, report: ReportWithRecipients, content: ReportContent, recipient: { id: string; email: string }, isTest: boolean) {
  return reportEmail({
    content,
    to: recipient.email,
    unsubscribeUrl: unsubscribeUrl(deps.config.baseUrl, deps.config.secret, recipient.id),
    scheduleLabel: describeSchedule(report as Schedule),
    isTest,
    baseUrl: deps.config.baseUrl,
  });
}

/** "Send test now": a delivery of its own (never counted as a scheduled run), attempted at once. */
export async function sendTestReport(deps: Deps, product: { id: string }, dashboardId: string, reportId: string): Promise<Delivery | undefined> {
  const report = getReport(deps.db, product.id, dashboardId, reportId);
  const now = deps.clock.now();
  const id = newId();
  deps.db
    .insert(reportDeliveries)
    .values({ id, reportId: report.id, productId: product.id, scheduledFor: now, isTest: 1, status: "pending", attempts: 0, createdAt: now, updatedAt: now })
    .run();
  return attemptDelivery(deps, id);
}

function update(deps: Deps, id: string, set: Partial<Delivery>) {
  deps.db.update(reportDeliveries).set(set).where(eq(reportDeliveries.id, id)).run();
}

/** The message and its causes ("sending mail … failed: connect ECONNREFUSED 127.0.0.1:1"), short enough for the log table. */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(": ").slice(0, 500);
}
