import { and, desc, eq, inArray } from "drizzle-orm";
import type { Deps } from "../deps";
import { products, webhookMessages, webhookEndpoints } from "../db/schema";
import { ownerEmails } from "../ops/usage";
import { productUrl } from "../products/urls";
import { webhookDisabledEmail } from "../../views/emails/webhook-disabled";
import { newId } from "../lib/tokens";
import { notFound } from "../lib/errors";
import { postJson } from "./send";
import { recordAttempt, timedSend } from "../delivery/log";
import { maskUrl, maskUrlsIn } from "../outbound/mask";
import { runDue, settle } from "./retry";
import { signedHeaders } from "./signer";
import { signingSecrets } from "./endpoints";
import { envelope, newMessageId } from "./outbox";
import { eventType } from "./event-types";

/**
 * Sends the product webhooks' outbox (webhook_messages) through THE delivery queue
 * (src/webhooks/retry.ts): due rows of enabled endpoints, signed by THE signer, POSTed through
 * THE guard, each attempt in the delivery log. An endpoint whose deliveries keep failing for
 * DISABLE_AFTER_MS (Svix's five days) is switched off with the reason shown on its page. A
 * switched-off endpoint gets no new messages (the outbox takes enabled ones only); those already
 * queued wait and go out once someone enables it again.
 */
export const DISABLE_AFTER_MS = 5 * 24 * 60 * 60_000;
const MAX_PER_TICK = 500;

export async function deliverWebhooks(deps: Deps): Promise<{ attempted: number }> {
  const now = deps.clock.now();
  const due = deps.db.$client
    .query(
      `SELECT d.id FROM webhook_messages d JOIN webhooks e ON e.id = d.endpoint_id
       WHERE e.enabled = 1 AND (d.status = 'pending' OR (d.status = 'retrying' AND d.next_attempt_at <= ?))
       ORDER BY d.created_at LIMIT ${MAX_PER_TICK}`,
    )
    .all(now) as { id: string }[];
  return runDue(deps, "webhooks", due.map((r) => r.id), (id) => attemptWebhook(deps, id));
}

/**
 * One attempt of one delivery. `manual` (the redeliver button, the example send) tries once now
 * whatever its state; when it was finished, a failure ends it 'failed' again rather than
 * starting a new schedule.
 */
export async function attemptWebhook(deps: Deps, deliveryId: string, opts: { manual?: boolean } = {}): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
  const d = deps.db.select().from(webhookMessages).where(eq(webhookMessages.id, deliveryId)).get();
  const ep = d && deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, d.endpointId)).get();
  if (!d || !ep) throw notFound("No such delivery");
  if (!opts.manual && (d.status !== "pending" && d.status !== "retrying")) return { ok: d.status === "sent", statusCode: d.lastStatusCode, error: d.lastError };
  const attempt = d.attempts + 1;
  const { outcome, error } = await timedSend(() => {
    const headers = signedHeaders(signingSecrets(ep, deps.config.secret, deps.clock.now()), d.id, new Date(deps.clock.now()), d.body);
    return postJson(ep.url, headers, d.body, { allow: deps.config.outboundAllow });
  });
  const now = deps.clock.now();
  // A manual try of a finished delivery that fails ends it again; one still on its schedule keeps it.
  const finished = d.status === "sent" || d.status === "failed";
  const next = opts.manual && error && finished ? { status: "failed" as const, nextAttemptAt: null } : settle(attempt, error, now);
  const statusCode = outcome.statusCode;
  let disabled = false;
  deps.db.transaction((tx) => {
    recordAttempt(tx as unknown as Deps["db"], { kind: "webhook", id: d.id }, { productId: d.productId, attempt, at: now }, outcome);
    tx.update(webhookMessages)
      .set({ status: next.status, attempts: attempt, nextAttemptAt: next.nextAttemptAt, lastStatusCode: statusCode, lastError: outcome.error, updatedAt: now, sentAt: error ? d.sentAt : now })
      .where(opts.manual ? eq(webhookMessages.id, d.id) : and(eq(webhookMessages.id, d.id), inArray(webhookMessages.status, ["pending", "retrying"])))
      .run();
    if (!error) tx.update(webhookEndpoints).set({ consecutiveFailures: 0, failingSince: null }).where(eq(webhookEndpoints.id, ep.id)).run();
    else if (next.status === "failed") disabled = noteFailure(tx as unknown as Deps["db"], ep, d.createdAt, now);
  });
  if (disabled) await noticeDisabled(deps, ep.id);
  if (error) deps.log.warn("webhook not delivered", { deliveryId: d.id, endpointId: ep.id, attempt, status: next.status, err: outcome.error });
  return { ok: !error, statusCode, error: outcome.error };
}

/** Counts a delivery that ended failed; true when that switched the endpoint off. */
function noteFailure(db: Deps["db"], ep: typeof webhookEndpoints.$inferSelect, createdAt: number, now: number): boolean {
  const since = ep.failingSince ?? createdAt;
  const disable = now - since >= DISABLE_AFTER_MS;
  const days = Math.round(DISABLE_AFTER_MS / 86_400_000);
  db.update(webhookEndpoints)
    .set({
      consecutiveFailures: ep.consecutiveFailures + 1,
      failingSince: since,
      ...(disable ? { enabled: 0, disabledReason: `Switched off on ${new Date(now).toISOString().slice(0, 10)}: every delivery failed for ${days} days. Nothing is queued for it until it is enabled again.` } : {}),
      updatedAt: now,
    })
    .where(eq(webhookEndpoints.id, ep.id))
    .run();
  return disable && ep.enabled === 1;
}

/** The notice of a switch-off: the reason on the endpoint's page, and a mail to the product's owners (best effort). */
async function noticeDisabled(deps: Deps, endpointId: string) {
  const ep = deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId)).get();
  const product = ep && deps.db.select({ name: products.name }).from(products).where(eq(products.id, ep.productId)).get();
  if (!ep || !product) return;
  deps.log.warn("webhook endpoint switched off after persistent failure", { endpointId, productId: ep.productId });
  try {
    const to = ownerEmails(deps.db, ep.productId);
    const url = `${deps.config.baseUrl}${productUrl(ep.productId, "settings")}/webhooks/${ep.id}`;
    if (to.length) await deps.mailer.send(await webhookDisabledEmail({ to, productName: product.name, endpointUrl: maskUrl(ep.url), reason: ep.disabledReason ?? "", url, baseUrl: deps.config.baseUrl }));
  } catch (err) {
    deps.log.error("could not mail the webhook switch-off notice", { endpointId, err });
  }
}

/** "Send example": a delivery of the type's example data to this endpoint alone, tried at once. */
export async function sendExample(deps: Deps, ep: typeof webhookEndpoints.$inferSelect, type: string) {
  const info = eventType(type);
  if (!info) throw notFound("No such event type");
  const now = deps.clock.now();
  const id = newMessageId();
  deps.db.insert(webhookMessages).values({ id, productId: ep.productId, endpointId: ep.id, eventType: type, body: envelope(type, now, info.example), status: "pending", createdAt: now, updatedAt: now }).run();
  return { id, ...(await attemptWebhook(deps, id, { manual: true })) };
}

export function listDeliveries(deps: Deps, endpointId: string, limit = 100) {
  return deps.db.select().from(webhookMessages).where(eq(webhookMessages.endpointId, endpointId)).orderBy(desc(webhookMessages.createdAt)).limit(limit).all();
}

export function getDelivery(deps: Deps, endpointId: string, id: string) {
  const d = deps.db.select().from(webhookMessages).where(and(eq(webhookMessages.endpointId, endpointId), eq(webhookMessages.id, id))).get();
  if (!d) throw notFound("No such delivery");
  return d;
}

export const productOfDelivery = (deps: Deps, id: string) => deps.db.select({ productId: webhookMessages.productId }).from(webhookMessages).where(eq(webhookMessages.id, id)).get()?.productId;

export function presentDelivery(d: typeof webhookMessages.$inferSelect) {
  return {
    id: d.id,
    endpoint_id: d.endpointId,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError === null ? null : maskUrlsIn(d.lastError),
    next_attempt_at: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString(),
    created_at: new Date(d.createdAt).toISOString(),
    sent_at: d.sentAt === null ? null : new Date(d.sentAt).toISOString(),
    payload: parseBody(d.body),
  };
}

/** The stored body is the JSON we wrote; anything else (a hand-edited row) is shown as text. */
export function parseBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** The delivery log is kept LOG_KEEP_MS; older finished rows go (with their attempts). */
export const LOG_KEEP_MS = 30 * 24 * 60 * 60_000;
export function pruneDeliveryLog(deps: Deps): number {
  const cutoff = deps.clock.now() - LOG_KEEP_MS;
  return deps.db.$client.prepare("DELETE FROM webhook_messages WHERE created_at < ? AND status IN ('sent', 'failed')").run(cutoff).changes;
}
