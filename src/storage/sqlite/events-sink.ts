import type { Database } from "bun:sqlite";
import type { EventsSink } from "../events-plane";
import type { EventRecord } from "../../writer/batch";
import { createUserDayWriter, rebuildUserDays } from "../../writer/user-days";
import { deleteOldEvents } from "../../writer/retention";
import { erasePersonBatch } from "../../writer/erase";

/**
 * Events into the flush's SQLite transaction as each request is applied: the unique
 * (product, id) index tells a duplicate (ON CONFLICT DO NOTHING changes nothing), and the
 * writer's user-day rows (src/writer/user-days.ts) are kept in the same pass.
 */
export function createSqliteEventsSink(sqlite: Database): EventsSink {
  const insertEvent = sqlite.prepare(
    `INSERT INTO events (product_id, id, ts_ms, name, namespace, user_id, session_id, visitor_id, properties, context)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const userDays = createUserDayWriter(sqlite);
  return {
    begin() {},
    add(productId, events, _token, now) {
      const zone = userDays.zoneFor(productId, now);
      const stored: EventRecord[] = [];
      const withUser: { tsMs: number; name: string; userId: string }[] = [];
      for (const e of events) {
        if (insertEvent.run(productId, e.id, e.tsMs, e.name, e.namespace, e.userId, e.sessionId, e.visitorId, e.properties, e.context).changes === 0) continue;
        stored.push(e);
        if (e.userId !== null) withUser.push(e as typeof e & { userId: string });
      }
      userDays.add(productId, zone, withUser);
      return stored;
    },
    write: () => 0,
    deleteOld: (productId, before, scope, limit) => deleteOldEvents(sqlite, productId, before, scope, limit),
    erasePerson: (productId, person, after, limit) => erasePersonBatch(sqlite, productId, person, after, limit),
    purgeProduct: () => 0,
    rebuildUserDays: (productId, zone, after, limit) => rebuildUserDays(sqlite, productId, zone, after, limit),
  };
}
