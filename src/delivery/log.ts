import { asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/connection";
import { deliveryAttempts } from "../db/schema";
import { newId } from "../lib/tokens";
import { maskUrlsIn } from "../outbound/mask";
import { asDeliveryError, type DeliveryError } from "../webhooks/send";

/**
 * THE delivery log (table delivery_attempts): the one place every outbound delivery records its
 * attempts — product webhook messages (src/webhooks/deliver.ts) and alert notifications on every
 * channel (src/alerts/deliver.ts, src/alerts/digest.ts) — and the one place the pages and APIs of
 * both read them from. An attempt names its outbox row by kind: `webhook` is a webhook_messages
 * row, `alert` an alert_notifications row. The outbox rows themselves stay in their own tables
 * (their queues differ: an alert notification is a claim per episode × channel with muted and
 * digest states); their retries share THE runner (src/webhooks/retry.ts).
 */
export type OutboxKind = "webhook" | "alert";
export type DeliveryRef = { kind: OutboxKind; id: string };

export type AttemptRow = typeof deliveryAttempts.$inferSelect;

/** What one attempt came to: filled in by `timedSend`, or by hand for a send that is not one call (a digest). */
export type Outcome = { ok: boolean; statusCode: number | null; error: string | null; response: string | null; durationMs: number };

const column = (kind: OutboxKind) => (kind === "webhook" ? deliveryAttempts.webhookMessageId : deliveryAttempts.alertNotificationId);

/**
 * Runs one send, timing it, and turns what happened into an Outcome: a thrown error becomes a
 * DeliveryError (whose `permanent` the retry policy reads), its status code and the receiver's
 * answer kept, and the error text with any URL in it masked (the outbox's last_error and the log
 * show it).
 */
export async function timedSend(send: () => Promise<{ statusCode?: number | null; response?: string | null } | void>): Promise<{ outcome: Outcome; error: DeliveryError | null }> {
  const started = performance.now();
  try {
    const sent = (await send()) ?? {};
    return { outcome: { ok: true, statusCode: sent.statusCode ?? null, error: null, response: sent.response ?? null, durationMs: elapsed(started) }, error: null };
  } catch (err) {
    const error = asDeliveryError(err);
    return { outcome: { ok: false, statusCode: error.statusCode ?? null, error: maskUrlsIn(error.message), response: error.response ?? null, durationMs: elapsed(started) }, error };
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

/**
 * Records one attempt, inside the caller's transaction (the one that also moves its outbox row),
 * so the log and the outbox never disagree. URLs in the error text are stored masked: a
 * redirect's Location can carry a token.
 */
export function recordAttempt(db: Db, ref: DeliveryRef, row: { productId: string; attempt: number; at: number }, outcome: Outcome): void {
  db.insert(deliveryAttempts)
    .values({
      id: newId(),
      productId: row.productId,
      webhookMessageId: ref.kind === "webhook" ? ref.id : null,
      alertNotificationId: ref.kind === "alert" ? ref.id : null,
      attempt: row.attempt,
      at: row.at,
      ok: outcome.ok ? 1 : 0,
      statusCode: outcome.statusCode,
      error: outcome.error === null ? null : maskUrlsIn(outcome.error),
      response: outcome.response,
      durationMs: outcome.durationMs,
    })
    .run();
}

/** The attempts of one outbox row, first to last. */
export function listAttempts(db: Db, ref: DeliveryRef): AttemptRow[] {
  return db.select().from(deliveryAttempts).where(eq(column(ref.kind), ref.id)).orderBy(asc(deliveryAttempts.attempt), asc(deliveryAttempts.at)).all();
}

/** The attempts of many outbox rows of one kind (a page of the log) in one read, by outbox id. */
export function attemptsByOutbox(db: Db, kind: OutboxKind, ids: string[]): Map<string, AttemptRow[]> {
  const out = new Map<string, AttemptRow[]>(ids.map((id) => [id, []]));
  const col = column(kind);
  // SQLite's default bound-parameter limit is far above a page (100), but chunk anyway.
  for (let i = 0; i < ids.length; i += 500) {
    const rows = db.select().from(deliveryAttempts).where(inArray(col, ids.slice(i, i + 500))).orderBy(asc(deliveryAttempts.attempt), asc(deliveryAttempts.at)).all();
    for (const r of rows) out.get((kind === "webhook" ? r.webhookMessageId : r.alertNotificationId)!)!.push(r);
  }
  return out;
}

/** The one API shape of an attempt, for every feature's API. */
export function presentAttempt(a: AttemptRow) {
  return {
    attempt: a.attempt,
    at: new Date(a.at).toISOString(),
    ok: a.ok === 1,
    status_code: a.statusCode,
    error: a.error === null ? null : maskUrlsIn(a.error),
    response: a.response,
    duration_ms: a.durationMs,
  };
}

/** The one page shape of an attempt (views/components/delivery-attempts.tsx); `when` formats the time for the page's zone. */
export type AttemptView = { attempt: number; at: string; ok: boolean; statusCode: number | null; error: string | null; durationMs: number; response: string | null };
export function attemptView(a: AttemptRow, when: (ms: number) => string): AttemptView {
  return { attempt: a.attempt, at: when(a.at), ok: a.ok === 1, statusCode: a.statusCode, error: a.error === null ? null : maskUrlsIn(a.error), durationMs: a.durationMs, response: a.response };
}
