import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { alertChannels, alertNotifications } from "../db/schema";
import { attemptsByOutbox, presentAttempt, type AttemptRow } from "../delivery/log";
import { maskUrlsIn } from "../outbound/mask";
import { channelKind } from "./channels";

/**
 * A rule's notifications with their attempts, read from THE delivery log (src/delivery/log.ts):
 * what its page's delivery log and GET /api/v1/alerts/:alertId/deliveries show. Each names its
 * channel as the API presents it (a Slack or webhook URL masked), so a reader sees where it went.
 */
export type RuleDelivery = {
  notification: typeof alertNotifications.$inferSelect;
  channel: { id: string; type: string; label: string; target: string; presented: Record<string, unknown> };
  attempts: AttemptRow[];
};

export function listRuleDeliveries(db: Db, productId: string, ruleId: string, secret: string, limit = 100): RuleDelivery[] {
  const rows = db
    .select({ n: alertNotifications, ch: alertChannels })
    .from(alertNotifications)
    .innerJoin(alertChannels, eq(alertChannels.id, alertNotifications.channelId))
    .where(and(eq(alertNotifications.ruleId, ruleId), eq(alertNotifications.productId, productId)))
    .orderBy(desc(alertNotifications.createdAt), desc(alertNotifications.kind))
    .limit(limit)
    .all();
  const attempts = attemptsByOutbox(db, "alert", rows.map((r) => r.n.id));
  return rows.map(({ n, ch }) => {
    const kind = channelKind(ch.type);
    const stored = { id: ch.id, productId: ch.productId, type: ch.type, config: JSON.parse(ch.config), secretSealed: ch.secretSealed };
    const presented = kind ? kind.present(stored, secret) : { id: ch.id, type: ch.type };
    return { notification: n, channel: { id: ch.id, type: ch.type, label: kind?.label ?? ch.type, target: targetOf(presented), presented }, attempts: attempts.get(n.id)! };
  });
}

/** Where a channel sends, in a few words: its addresses or its (masked) URL; in-app has none. */
function targetOf(p: Record<string, unknown>): string {
  if (Array.isArray(p.to)) return p.to.join(", ");
  return typeof p.url === "string" ? p.url : "";
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The API shape: the keys of a webhook delivery (GET /api/v1/webhooks/…/deliveries/:id) where they mean the same. */
export function presentRuleDelivery(d: RuleDelivery) {
  const n = d.notification;
  return {
    id: n.id,
    episode_id: n.episodeId,
    kind: n.kind,
    channel: d.channel.presented,
    status: n.status,
    last_status_code: d.attempts.at(-1)?.statusCode ?? null,
    last_error: n.lastError === null ? null : maskUrlsIn(n.lastError),
    next_attempt_at: iso(n.nextAttemptAt),
    created_at: iso(n.createdAt)!,
    sent_at: iso(n.sentAt),
    attempts: d.attempts.map(presentAttempt),
  };
}
