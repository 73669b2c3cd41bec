import type { Database } from "bun:sqlite";
import { createMultiRowInsert } from "../../db/multi-row-insert";
import { prepareAgg } from "../../writer/web/fold";
import { createFoldJournal } from "../../writer/web/journal";
import { deleteOldWeb } from "../../writer/retention";
import { WEB_EVENT_COLUMNS, type StoredSession, type WebSink } from "../web-plane";

/**
 * Web rows into the flush's SQLite transaction: raw hits with multi-row INSERTs (measured on
 * web_events with its indexes, WAL, 32 rows per transaction: one 12-argument run per row cost
 * 5–7 µs a row, 32 rows per run 3.0–3.6 µs), visits upserted in place, and the aggregate deltas
 * either upserted at once or, on the writer thread (`deferFold`), left as one journal row for a
 * later fold (src/writer/web/journal.ts).
 */
export function createSqliteWebSink(sqlite: Database, opts: { deferFold?: boolean } = {}): WebSink {
  const insertEvents = createMultiRowInsert(sqlite, "web_events", WEB_EVENT_COLUMNS);
  const journal = opts.deferFold ? createFoldJournal(sqlite) : null;
  const agg = prepareAgg(sqlite);
  const upsertSession = sqlite.prepare(
    `INSERT INTO web_sessions (id, product_id, visitor_id, persisted_id, start_ms, last_ms, last_active_ms, tail_engaged_ms, engaged_ms, pageviews, events, custom_events,
       entry_page, exit_page, hostname, source, referrer, utm_source, utm_medium, utm_campaign, utm_content, utm_term, click_ids, country, region, device, browser, os)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET persisted_id = excluded.persisted_id, last_ms = excluded.last_ms, last_active_ms = excluded.last_active_ms,
       tail_engaged_ms = excluded.tail_engaged_ms, engaged_ms = excluded.engaged_ms, pageviews = excluded.pageviews, events = excluded.events, custom_events = excluded.custom_events,
       exit_page = excluded.exit_page`,
  );
  const maxId = sqlite.prepare("SELECT coalesce(max(id), 0) AS n FROM web_sessions");
  return {
    write({ events, sessions, fold }) {
      if (events.length) insertEvents.run(events);
      for (const s of sessions) {
        upsertSession.run(
          s.id, s.productId, s.visitorId, s.persistedId, s.startMs, s.lastMs, s.lastActiveMs, s.tailEngagedMs, s.engagedMs, s.pageviews, s.events, s.customEvents,
          s.entryPage, s.exitPage, s.hostname, s.source, s.referrer, s.utmSource, s.utmMedium, s.utmCampaign, s.utmContent, s.utmTerm, s.clickIds,
          s.country, s.region, s.device, s.browser, s.os,
        );
      }
      if (journal) journal.append(fold);
      else fold.write(agg);
    },
    foldPending: () => journal?.pending() ?? false,
    fold: () => journal?.fold() ?? 0,
    maxSessionId: () => (maxId.get() as { n: number }).n,
    openSessions: (productId, lastAfter) => sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND last_ms > ?").all(productId, lastAfter) as StoredSession[],
    sessionsStartedSince: (productId, from) => sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND start_ms >= ?").all(productId, from) as StoredSession[],
    hitsSince: (productId, from) =>
      sqlite
        .query("SELECT session_id, visitor_id, ts_ms, name, hostname, pathname, props FROM web_events WHERE product_id = ? AND ts_ms >= ? AND name != 'engagement'")
        .all(productId, from) as ReturnType<WebSink["hitsSince"]>,
    deleteOld: (productId, before, limit) => deleteOldWeb(sqlite, productId, before, limit),
    // The events erasure (src/writer/erase.ts) takes a person's visits in its own transaction.
    erasePerson: () => 0,
    purgeProduct: () => 0,
  };
}
