import { and, asc, eq, inArray, lte, or } from "drizzle-orm";
import type { Deps } from "../deps";
import { alertChannels, alertNotifications } from "../db/schema";
import { channelKind } from "./channels";
import { recordAttempt, timedSend } from "../delivery/log";
import { runDue, settle } from "../webhooks/retry";
import type { AlertPayload } from "./payload";

/**
 * Sends notifications committed by the evaluator: 'pending' ones at once, 'retrying' ones when
 * their backoff has passed — THE delivery queue's policy and runner (src/webhooks/retry.ts),
 * with alert_notifications as this queue's outbox. Every attempt is a row of THE delivery log
 * (src/delivery/log.ts).
 * Only one server process runs per DATA_DIR (src/ops/server-lock.ts), so a 'pending' row that
 * this process is not sending was left by one that died: it is sent now. A crash during a send
 * can repeat that one notification (at-least-once); webhooks carry the same webhook-id each
 * time so the receiver can drop it.
 */
const MAX_PER_TICK = 500;

export async function deliverDue(deps: Deps): Promise<{ attempted: number }> {
  const now = deps.clock.now();
  const due = deps.db
    .select({ id: alertNotifications.id })
    .from(alertNotifications)
    .where(or(eq(alertNotifications.status, "pending"), and(eq(alertNotifications.status, "retrying"), lte(alertNotifications.nextAttemptAt, now))))
    .orderBy(asc(alertNotifications.createdAt))
    .limit(MAX_PER_TICK)
    .all()
    .map((r) => r.id);
  return runDue(deps, "alerts", due, (id) => attemptDelivery(deps, id));
}

export async function attemptDelivery(deps: Deps, notificationId: string) {
  const n = deps.db.select().from(alertNotifications).where(eq(alertNotifications.id, notificationId)).get();
  if (!n || (n.status !== "pending" && n.status !== "retrying")) return;
  const ch = deps.db.select().from(alertChannels).where(eq(alertChannels.id, n.channelId)).get();
  const kind = channelKind(ch?.type);
  if (!ch || !kind) return;
  const attempt = n.attempts + 1;
  const { outcome, error } = await timedSend(() => {
    const payload = JSON.parse(n.payload) as AlertPayload;
    const stored = { id: ch.id, productId: ch.productId, type: ch.type, config: JSON.parse(ch.config), secretSealed: ch.secretSealed };
    return kind.deliver(deps, { notificationId: n.id, kind: n.kind as "started" | "resolved", payload, channel: stored, attempt });
  });
  const now = deps.clock.now();
  const { status, nextAttemptAt } = settle(attempt, error, now);
  deps.db.transaction((tx) => {
    recordAttempt(tx as unknown as Deps["db"], { kind: "alert", id: n.id }, { productId: n.productId, attempt, at: now }, outcome);
    tx.update(alertNotifications)
      .set({ status, attempts: attempt, lastError: outcome.error, nextAttemptAt, updatedAt: now, sentAt: error ? null : now })
      .where(and(eq(alertNotifications.id, n.id), inArray(alertNotifications.status, ["pending", "retrying"])))
      .run();
  });
  if (error) deps.log.warn("alert notification not delivered", { notificationId: n.id, channel: ch.type, attempt, status, err: outcome.error });
}
