import * as v from "valibot";
import type { Db } from "../db/connection";
import { erasureLog } from "../db/schema";
import { notFound } from "../lib/errors";
import { newId } from "../lib/tokens";
import { parseOrThrow } from "../lib/validate";
import { eventsReaderFor } from "../storage";
import type { WriteQueue } from "../writer/queue";
import type { Clock } from "../lib/clock";

/**
 * Erasure and export of one person's data (DESIGN.md "Operations", seed 001 FR-11): every event
 * whose user id, persisted visitor id or email (context.email / properties.email) is the given
 * id. The counts those events added to `event:<name>` charts stay: they carry no personal data.
 * An audit line records when, who and how many rows — never the person's id.
 */
export const PersonIdSchema = v.pipe(
  v.string("Name the person: a user id, an email or a visitor id"),
  v.trim(),
  v.minLength(1, "Name the person: a user id, an email or a visitor id"),
  v.maxLength(200, "A person's id is at most 200 characters"),
  v.check((s) => !/[\u0000-\u001f\u007f]/.test(s), "A person's id has no control characters"),
);

export type Actor = { kind: "key" | "user"; id: string };
export type PersonEvent = {
  id: string | null;
  timestamp: string;
  event: string;
  namespace: string | null;
  user_id: string | null;
  session_id: string | null;
  visitor_id: string | null;
  properties: unknown;
  context: unknown;
};

// Rows per writer transaction: small enough that other products' flushes never wait long.
export const ERASE_BATCH_SIZE = 2000;

/** Every stored event of the person, oldest first. 404 when there is none. */
export function exportPerson(db: Db, productId: string, person: string): PersonEvent[] {
  const id = parseOrThrow(PersonIdSchema, person, "id");
  const rows = eventsReaderFor(db.$client).personEvents(productId, id);
  if (!rows.length) throw notFound("No events of this person");
  return rows.map((r) => ({
    id: r.id,
    timestamp: new Date(r.ts_ms).toISOString(),
    event: r.name,
    namespace: r.namespace,
    user_id: r.user_id,
    session_id: r.session_id,
    visitor_id: r.visitor_id,
    properties: r.properties === null ? null : JSON.parse(r.properties),
    context: r.context === null ? null : JSON.parse(r.context),
  }));
}

/**
 * Deletes every event of the person through the writer, in batches, and records the audit line.
 * Writes queued before the call are committed first; a second pass catches a request that
 * stored the person's events while the first one ran. 404 when nothing matched.
 */
export async function erasePerson(
  deps: { db: Db; clock: Clock; queue: Pick<WriteQueue, "flushNow" | "erasePersonBatch"> },
  productId: string,
  person: string,
  actor: Actor,
): Promise<{ deleted: number }> {
  const id = parseOrThrow(PersonIdSchema, person, "id");
  await deps.queue.flushNow();
  let deleted = 0;
  for (let pass = 0; pass < 2; pass++) {
    let after = 0;
    for (;;) {
      const step = await deps.queue.erasePersonBatch(productId, id, after, ERASE_BATCH_SIZE);
      deleted += step.deleted;
      after = step.next;
      if (step.done) break;
    }
    if (pass === 0) await deps.queue.flushNow();
  }
  if (deleted === 0) throw notFound("No events of this person");
  deps.db.insert(erasureLog).values({ id: newId(), productId, at: deps.clock.now(), actorKind: actor.kind, actorId: actor.id, rows: deleted }).run();
  return { deleted };
}

/** The audit lines of a product, newest first (for the settings page). */
export function listErasures(db: Db, productId: string, limit = 10) {
  return db.$client
    .query("SELECT at, actor_kind AS actorKind, actor_id AS actorId, rows FROM erasure_log WHERE product_id = ? ORDER BY at DESC LIMIT ?")
    .all(productId, limit) as { at: number; actorKind: string; actorId: string; rows: number }[];
}
