import type { Database } from "bun:sqlite";
import { refreshUserDays } from "./user-days";
import { erasePersonMessages } from "../webhooks/outbox";

/**
 * Erasure of one person's events (DESIGN.md "Operations"). A person is named by a user id
 * (events.user_id), an email (context.email or properties.email, compared without case) or a
 * persisted visitor id (events.visitor_id). The same condition serves the export, so what is
 * exported is exactly what is then deleted.
 */
export const PERSON_MATCH =
  "(user_id = ?1 OR visitor_id = ?1 OR lower(json_extract(context, '$.email')) = lower(?1) OR lower(json_extract(properties, '$.email')) = lower(?1))";

// Events (by seq, the rowid) one call looks at, so a call stays short however big the table is:
// measured on 200k events, 50k per call took 50–120 ms (a stall for other products' flushes),
// 10k takes ~15 ms (at most ~40).
const SCAN_WINDOW = 10_000;

export type EraseStep = { deleted: number; next: number; done: boolean };

/**
 * Deletes at most `limit` of the person's events with seq in (after, after + SCAN_WINDOW], in
 * one transaction. `next` is where the next call starts; `done` once the cursor passed the
 * newest event (events stored later by a request in flight are caught by a second pass).
 */
export function erasePersonBatch(sqlite: Database, productId: string, person: string, after: number, limit: number): EraseStep {
  return sqlite.transaction(() => {
    const upTo = after + SCAN_WINDOW;
    const seqs = (
      sqlite
        .query(`SELECT seq FROM events WHERE seq > ?2 AND seq <= ?3 AND product_id = ?4 AND ${PERSON_MATCH} ORDER BY seq LIMIT ?5`)
        .all(person, after, upTo, productId, limit) as { seq: number }[]
    ).map((r) => r.seq);
    if (seqs.length) {
      const users = sqlite.query("SELECT DISTINCT user_id AS u FROM events WHERE seq IN (SELECT value FROM json_each(?)) AND user_id IS NOT NULL").all(JSON.stringify(seqs)) as { u: string }[];
      sqlite.query("DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))").run(JSON.stringify(seqs));
      // The active-user days counted from these events go with them.
      refreshUserDays(sqlite, productId, users.map((r) => r.u));
    }
    const web = after === 0 ? eraseWebOfPerson(sqlite, productId, person) : 0;
    const next = seqs.length === limit ? seqs[seqs.length - 1]! : upTo;
    const newest = (sqlite.query("SELECT coalesce(max(seq), 0) AS n FROM events").get() as { n: number }).n;
    return { deleted: seqs.length + web, next, done: next >= newest };
  }).immediate();
}

/**
 * Web visits of a persisted visitor id (attribution mode) and their hits, and webhook messages
 * (with their delivery log) that name the person: few, so at once. Runs inside the caller's
 * transaction. The messages are SQLite's on every engine; on ClickHouse the visits and hits are
 * not here but in its web sink, which the writer's erase op calls (src/storage/web-plane.ts).
 */
export function eraseWebOfPerson(sqlite: Database, productId: string, person: string): number {
  const ids = `SELECT id FROM web_sessions WHERE product_id = ?1 AND persisted_id = ?2`;
  let n = sqlite.query(`DELETE FROM web_events WHERE session_id IN (${ids})`).run(productId, person).changes;
  n += sqlite.query(`DELETE FROM web_sessions WHERE id IN (${ids})`).run(productId, person).changes;
  return n + erasePersonMessages(sqlite, productId, person);
}
