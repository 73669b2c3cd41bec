import type { Database } from "bun:sqlite";
import { newId } from "../lib/tokens";

/**
 * Writing to THE outbox (webhook_messages) on whatever connection holds the transaction that
 * caused the message: the writer thread's flush (goals, purchases, visitors) or the alert tick.
 * So a message exists exactly when its cause was committed. One row per subscribed, enabled
 * endpoint; its id (`msg_…`) is the webhook-id of every attempt. Raw statements, not drizzle,
 * because the writer thread runs on a bare bun:sqlite connection.
 */
export type Subscription = { id: string; types: Set<string> };

export const envelope = (type: string, at: number, data: unknown) => JSON.stringify({ type, timestamp: new Date(at).toISOString(), data });

export const newMessageId = () => `msg_${newId()}`;

export function createOutbox(sqlite: Database) {
  const subscribed = sqlite.prepare("SELECT id, event_types FROM webhooks WHERE product_id = ? AND enabled = 1");
  const insert = sqlite.prepare(
    "INSERT INTO webhook_messages (id, product_id, endpoint_id, event_type, body, status, attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)",
  );
  return {
    subscriptions(productId: string): Subscription[] {
      return (subscribed.all(productId) as { id: string; event_types: string }[]).map((r) => ({ id: r.id, types: new Set(JSON.parse(r.event_types) as string[]) }));
    },
    /** One row per endpoint of `subs` that takes `type`; returns how many. */
    enqueue(productId: string, subs: Subscription[], type: string, data: unknown, at: number, now: number): number {
      let n = 0;
      for (const s of subs) {
        if (!s.types.has(type)) continue;
        insert.run(newMessageId(), productId, s.id, type, envelope(type, at, data), now, now);
        n++;
      }
      return n;
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;

const outboxes = new WeakMap<Database, Outbox>();
/** The outbox statements of a connection, prepared once (for callers outside the writer, like the alert tick). */
export function outboxFor(sqlite: Database): Outbox {
  let o = outboxes.get(sqlite);
  if (!o) outboxes.set(sqlite, (o = createOutbox(sqlite)));
  return o;
}

/**
 * Erasure (DESIGN.md "Operations"): the outbox and its delivery log go with the person's events —
 * messages whose data names them (a purchase's email or visitor id, a goal event's user id or
 * email). Run by the writer's erase step, inside its transaction.
 */
export function erasePersonMessages(sqlite: Database, productId: string, person: string): number {
  return sqlite
    .query(
      `DELETE FROM webhook_messages WHERE product_id = ?1 AND (
         lower(json_extract(body, '$.data.email')) = lower(?2) OR json_extract(body, '$.data.visitor_id') = ?2
         OR json_extract(body, '$.data.event.user_id') = ?2 OR json_extract(body, '$.data.event.visitor_id') = ?2
         OR lower(json_extract(body, '$.data.event.context.email')) = lower(?2) OR lower(json_extract(body, '$.data.event.properties.email')) = lower(?2))`,
    )
    .run(productId, person).changes;
}
