import type { Database } from "bun:sqlite";
import { DayCalendar } from "../query/events/days";

/**
 * The user-day rows (event_user_days, event_name_user_days) the events planner counts distinct
 * users from, kept by the writer inside the flush as it stores events — never by scanning later.
 * Rows are in the product's zone at the time; `event_day_rollups` says whether a zone's rows
 * cover all of a product's events (they do when they start with its first event; otherwise,
 * after a zone change or for events from before these tables, `rebuildUserDays` fills them in).
 */
export function createUserDayWriter(sqlite: Database) {
  const zoneOf = sqlite.prepare("SELECT timezone FROM products WHERE id = ?");
  const stateOf = sqlite.prepare("SELECT complete FROM event_day_rollups WHERE product_id = ? AND zone = ?");
  const anyEvent = sqlite.prepare("SELECT 1 AS x FROM events WHERE product_id = ? LIMIT 1");
  const insertState = sqlite.prepare("INSERT INTO event_day_rollups (product_id, zone, complete, created_at) VALUES (?, ?, ?, ?)");
  const insertAll = sqlite.prepare("INSERT OR IGNORE INTO event_user_days (product_id, zone, day, user_id) VALUES (?, ?, ?, ?)");
  const insertNamed = sqlite.prepare("INSERT OR IGNORE INTO event_name_user_days (product_id, zone, name, day, user_id) VALUES (?, ?, ?, ?, ?)");
  const calendar = new DayCalendar();

  return {
    /** Before a batch's events are inserted: the zone its rows go to (a new zone's state row is made here). */
    zoneFor(productId: string, now: number): string {
      const zone = (zoneOf.get(productId) as { timezone: string } | null)?.timezone ?? "UTC";
      if (!stateOf.get(productId, zone)) insertState.run(productId, zone, anyEvent.get(productId) ? 0 : 1, now);
      return zone;
    },
    /** One batch's stored events that have a user id. */
    add(productId: string, zone: string, events: { tsMs: number; name: string; userId: string }[]) {
      const all = new Set<string>();
      const named = new Set<string>();
      for (const e of events) {
        const day = calendar.dayOf(zone, e.tsMs);
        const a = day + "\u0000" + e.userId;
        if (!all.has(a)) all.add(a), insertAll.run(productId, zone, day, e.userId);
        const n = e.name + "\u0000" + a;
        if (!named.has(n)) named.add(n), insertNamed.run(productId, zone, e.name, day, e.userId);
      }
    },
  };
}
export type UserDayWriter = ReturnType<typeof createUserDayWriter>;

export type RebuildStep = { next: number; done: boolean };

/**
 * Fills in a zone's user-day rows from events with seq in (after, …], at most `limit` events per
 * call in one transaction; the call that reaches the newest event marks the zone complete
 * (events stored meanwhile got their rows from their flush, as the state row already existed).
 */
export function rebuildUserDays(sqlite: Database, productId: string, zone: string, after: number, limit: number): RebuildStep {
  const calendar = new DayCalendar();
  return sqlite.transaction(() => {
    const rows = sqlite
      .query("SELECT seq, ts_ms, name, user_id FROM events WHERE product_id = ? AND seq > ? AND user_id IS NOT NULL ORDER BY seq LIMIT ?")
      .all(productId, after, limit) as { seq: number; ts_ms: number; name: string; user_id: string }[];
    const insertAll = sqlite.query("INSERT OR IGNORE INTO event_user_days (product_id, zone, day, user_id) VALUES (?, ?, ?, ?)");
    const insertNamed = sqlite.query("INSERT OR IGNORE INTO event_name_user_days (product_id, zone, name, day, user_id) VALUES (?, ?, ?, ?, ?)");
    for (const r of rows) {
      const day = calendar.dayOf(zone, r.ts_ms);
      insertAll.run(productId, zone, day, r.user_id);
      insertNamed.run(productId, zone, r.name, day, r.user_id);
    }
    const done = rows.length < limit;
    if (done) sqlite.query("UPDATE event_day_rollups SET complete = 1 WHERE product_id = ? AND zone = ?").run(productId, zone);
    return { next: rows.length ? rows[rows.length - 1]!.seq : after, done };
  }).immediate();
}

/**
 * After an erasure deleted some of these users' events: their rows are dropped and made again
 * from the events they still have, so a day counts a user only while an event says so.
 */
export function refreshUserDays(sqlite: Database, productId: string, userIds: string[]) {
  if (!userIds.length) return;
  const calendar = new DayCalendar();
  const zones = (sqlite.query("SELECT zone FROM event_day_rollups WHERE product_id = ?").all(productId) as { zone: string }[]).map((r) => r.zone);
  const ids = JSON.stringify(userIds);
  sqlite.query("DELETE FROM event_user_days WHERE product_id = ? AND user_id IN (SELECT value FROM json_each(?))").run(productId, ids);
  sqlite.query("DELETE FROM event_name_user_days WHERE product_id = ? AND user_id IN (SELECT value FROM json_each(?))").run(productId, ids);
  const left = sqlite.query("SELECT ts_ms, name, user_id FROM events WHERE product_id = ? AND user_id IN (SELECT value FROM json_each(?))").all(productId, ids) as { ts_ms: number; name: string; user_id: string }[];
  for (const zone of zones) {
    for (const r of left) {
      const day = calendar.dayOf(zone, r.ts_ms);
      sqlite.query("INSERT OR IGNORE INTO event_user_days (product_id, zone, day, user_id) VALUES (?, ?, ?, ?)").run(productId, zone, day, r.user_id);
      sqlite.query("INSERT OR IGNORE INTO event_name_user_days (product_id, zone, name, day, user_id) VALUES (?, ?, ?, ?, ?)").run(productId, zone, r.name, day, r.user_id);
    }
  }
}
