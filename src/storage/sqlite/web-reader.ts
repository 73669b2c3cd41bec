import type { Database } from "bun:sqlite";
import type { EventRow, SessionRow } from "../../web/query/filters";
import type { AttributedSession } from "../../revenue/attribution";
import type { AggSumRow, FunnelHitRow, RevenueHit, WebReader } from "../web-plane";

const HIT_COLUMNS = "e.session_id, e.visitor_id, e.ts_ms, e.name, e.hostname, e.pathname, e.props, e.engaged_ms, e.scroll_depth";
const REVENUE_COLUMNS = "session_id, visitor_id, ts_ms, name, hostname, pathname, props, engaged_ms, scroll_depth, revenue_amount";

type Statements = { day: ReturnType<Database["prepare"]>; hour: ReturnType<Database["prepare"]> };
const cache = new WeakMap<Database, { reader: WebReader }>();

/** Web analytics in the SQLite file (src/db/schema/web-data.ts): the SQL the readers ran before the port, unchanged. */
export function sqliteWeb(sqlite: Database): WebReader {
  let hit = cache.get(sqlite);
  if (!hit) cache.set(sqlite, (hit = { reader: create(sqlite) }));
  return hit.reader;
}

function create(sqlite: Database): WebReader {
  let agg: Statements | null = null;
  const statements = (): Statements =>
    (agg ??= {
      day: sqlite.prepare(
        `SELECT value, sum(first_seen) AS f, 0 AS l, 0 AS hs, sum(visits) AS visits, sum(bounces) AS bounces, sum(duration_ms) AS duration,
           sum(visit_pageviews) AS vpv, sum(visit_events) AS vev, sum(pageviews) AS pv, sum(events) AS ev
         FROM web_agg_day WHERE product_id = ?1 AND dim = ?2 AND bucket >= ?3 AND bucket < ?4 GROUP BY value`,
      ),
      // Hours before a (?1) count only their last_seen (subtracted) and first_seen; hours from a on, everything but last_seen.
      hour: sqlite.prepare(
        `SELECT value, sum(first_seen) AS f, sum(CASE WHEN bucket < ?1 THEN last_seen ELSE 0 END) AS l, sum(hour_seen) AS hs,
           sum(CASE WHEN bucket >= ?1 THEN visits ELSE 0 END) AS visits, sum(CASE WHEN bucket >= ?1 THEN bounces ELSE 0 END) AS bounces,
           sum(CASE WHEN bucket >= ?1 THEN duration_ms ELSE 0 END) AS duration, sum(CASE WHEN bucket >= ?1 THEN visit_pageviews ELSE 0 END) AS vpv,
           sum(CASE WHEN bucket >= ?1 THEN visit_events ELSE 0 END) AS vev, sum(CASE WHEN bucket >= ?1 THEN pageviews ELSE 0 END) AS pv,
           sum(CASE WHEN bucket >= ?1 THEN events ELSE 0 END) AS ev
         FROM web_agg_hour WHERE product_id = ?2 AND dim = ?3 AND bucket >= ?4 AND bucket < ?5 GROUP BY value`,
      ),
    });
  const byId = sqlite.prepare("SELECT * FROM web_sessions WHERE id = ?");
  return {
    sessionsOverlapping: (productId, from, to) => sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND last_ms >= ? AND start_ms < ?").all(productId, from, to) as SessionRow[],
    hitsOfOverlapping(productId, from, to, names) {
      if (names === null) {
        return sqlite
          .query(`SELECT ${HIT_COLUMNS} FROM web_sessions s JOIN web_events e ON e.session_id = s.id WHERE s.product_id = ? AND s.last_ms >= ? AND s.start_ms < ? AND e.name != 'identify' ORDER BY e.ts_ms, e.seq`)
          .all(productId, from, to) as EventRow[];
      }
      if (!names.length) return [];
      return sqlite
        .query(`SELECT ${HIT_COLUMNS} FROM web_sessions s JOIN web_events e ON e.session_id = s.id WHERE s.product_id = ? AND s.last_ms >= ? AND s.start_ms < ? AND e.name IN (${names.map(() => "?").join(", ")}) ORDER BY e.ts_ms, e.seq`)
        .all(productId, from, to, ...names) as EventRow[];
    },
    sessionsByIds(_productId, ids) {
      const out: SessionRow[] = [];
      for (let k = 0; k < ids.length; k += 500) {
        const chunk = ids.slice(k, k + 500);
        out.push(...(sqlite.query(`SELECT * FROM web_sessions WHERE id IN (${chunk.map(() => "?").join(", ")})`).all(...chunk) as SessionRow[]));
      }
      return out;
    },
    sessionById: (_productId, id) => byId.get(id) as SessionRow | null,
    aggDays: (productId, dim, fromDay, toDay) => statements().day.values(productId, dim, fromDay, toDay) as AggSumRow[],
    aggHours: (productId, dim, a, fromHour, toHour) => statements().hour.values(a, productId, dim, fromHour, toHour) as AggSumRow[],
    realtimeVisitors: (productId, since) => (sqlite.query("SELECT count(DISTINCT visitor_id) AS n FROM web_events WHERE product_id = ? AND ts_ms >= ?").get(productId, since) as { n: number }).n,
    firstAggDay: (productId) => (sqlite.query("SELECT min(bucket) AS d FROM web_agg_day WHERE product_id = ? AND dim = ''").get(productId) as { d: number | null }).d,
    firstHitBetween: (productId, from, to) => (sqlite.query("SELECT min(ts_ms) AS t FROM web_events WHERE product_id = ? AND ts_ms >= ? AND ts_ms < ?").get(productId, from, to) as { t: number | null }).t,
    revenueHits(productId, from, to, currency, name) {
      // Through the partial index of hits with an amount (page views never enter it).
      if (name === null) {
        return sqlite
          .query(`SELECT ${REVENUE_COLUMNS} FROM web_events WHERE product_id = ? AND ts_ms >= ? AND ts_ms < ? AND revenue_amount IS NOT NULL AND revenue_currency = ? ORDER BY ts_ms, seq`)
          .all(productId, from, to, currency) as RevenueHit[];
      }
      return sqlite
        .query(`SELECT ${REVENUE_COLUMNS} FROM web_events WHERE product_id = ? AND name = ? AND ts_ms >= ? AND ts_ms < ? AND revenue_amount IS NOT NULL AND revenue_currency = ? ORDER BY ts_ms, seq`)
        .all(productId, name, from, to, currency) as RevenueHit[];
    },
    visitsOfPersisted(productId, persistedIds) {
      const out: (AttributedSession & { persisted_id: string })[] = [];
      for (let k = 0; k < persistedIds.length; k += 500) {
        const chunk = persistedIds.slice(k, k + 500);
        out.push(...(sqlite.query(`SELECT * FROM web_sessions WHERE product_id = ? AND persisted_id IN (${chunk.map(() => "?").join(", ")}) ORDER BY start_ms DESC`).all(productId, ...chunk) as (AttributedSession & { persisted_id: string })[]));
      }
      return out;
    },
    visitsOfVisitor: (productId, visitorId, until, since) =>
      sqlite.query("SELECT * FROM web_sessions WHERE product_id = ? AND visitor_id = ? AND start_ms <= ? AND start_ms > ? ORDER BY start_ms DESC").all(productId, visitorId, until, since) as AttributedSession[],
    identifiedVisitor(productId, a, b, until) {
      // `litekpi.identify(idOrEmail)` is stored as an "identify" hit whose prop `id` names the person.
      const row = sqlite
        .query("SELECT visitor_id FROM web_events WHERE product_id = ? AND name = 'identify' AND lower(json_extract(props, '$.id')) IN (lower(?), lower(?)) AND ts_ms <= ? ORDER BY ts_ms DESC LIMIT 1")
        .get(productId, a, b, until) as { visitor_id: number } | null;
      return row?.visitor_id ?? null;
    },
    funnelHits(productId, from, to, names, withStart) {
      // A visit-start step needs only the starts of the visits the other steps' hits are in.
      return sqlite
        .query(
          `SELECT e.visitor_id, e.ts_ms, e.name, e.hostname, e.pathname, e.props, e.session_id, ${withStart ? "(SELECT start_ms FROM web_sessions s WHERE s.id = e.session_id)" : "NULL"} AS start_ms
           FROM web_events e WHERE e.product_id = ? AND e.ts_ms >= ? AND e.ts_ms < ? AND e.name IN (${names.map(() => "?").join(", ")})
           ORDER BY e.visitor_id, e.ts_ms`,
        )
        .iterate(productId, from, to, ...names) as Iterable<FunnelHitRow>;
    },
  };
}
