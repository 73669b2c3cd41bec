import type { EventRow, EventsReader, FunnelRow, MetricGroupRow, PersonRow } from "../events-plane";
import { Binder, chBreakdown, chBucketIndex, chMetricSql, chPersonMatch, chPropertyMatch, chWhere, NEWEST_SEQ } from "./events-sql";
import type { ClickHouseTransport } from "./transport";

const EVENT_COLUMNS = "seq, id, ts_ms, name, namespace, properties, context";

/**
 * Product events in ClickHouse (migration 0002). Answers as the SQLite reader does: the same
 * rows, ties broken the same way (time, then seq = arrival order), NULLs where SQLite has them.
 * Distinct users per day and retention are counted from events directly (exactly: count(DISTINCT)
 * is uniqExact) — there are no user-day rows to keep here.
 */
export function clickhouseEvents(ch: ClickHouseTransport): EventsReader {
  const rows = <T>(sql: string, b: Binder) => ch.query(sql, b.params) as T[];
  return {
    metricGroups(productId, q, starts, limit) {
      const { sql, params } = chMetricSql(productId, q, starts, limit);
      return ch.query(sql, params) as MetricGroupRow[];
    },
    userDayGroups: () => null,
    newestSeq: () => Number(ch.query(NEWEST_SEQ)[0]?.n ?? 0),
    page(productId, f, asOf, desc, limit, offset) {
      const b = new Binder();
      const cond = `${chWhere(b, productId, f)} AND seq <= ${b.int(asOf)}`;
      const total = Number(rows<{ n: number }>(`SELECT count() AS n FROM events WHERE ${cond}`, b)[0]?.n ?? 0);
      const dir = desc ? "DESC" : "ASC";
      const page = rows<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE ${cond} ORDER BY ts_ms ${dir}, seq ${dir} LIMIT ${b.int(limit)} OFFSET ${b.int(offset)}`, b);
      return { total, rows: page };
    },
    one(productId, seq) {
      const b = new Binder();
      return rows<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE product_id = ${b.str(productId)} AND seq = ${b.int(seq)} LIMIT 1`, b)[0] ?? null;
    },
    after(productId, f, after, limit) {
      const b = new Binder();
      return rows<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE seq > ${b.int(after)} AND ${chWhere(b, productId, f)} ORDER BY seq LIMIT ${b.int(limit)}`, b);
    },
    userBuckets(productId, f, starts, limit) {
      const b = new Binder();
      const bucket = chBucketIndex(b, starts, f.to);
      return rows(`SELECT DISTINCT ${bucket} AS b, assumeNotNull(user_id) AS u FROM events WHERE ${chWhere(b, productId, f)} AND user_id IS NOT NULL LIMIT ${b.int(limit)}`, b);
    },
    firstSeen(productId, events, limit) {
      const b = new Binder();
      const names = events ? ` AND name IN (${events.map((x) => b.str(x)).join(", ")})` : "";
      return rows(`SELECT assumeNotNull(user_id) AS u, min(ts_ms) AS t FROM events WHERE product_id = ${b.str(productId)} AND user_id IS NOT NULL${names} GROUP BY u LIMIT ${b.int(limit)}`, b);
    },
    eventTimes(productId, f, limit) {
      const b = new Binder();
      return rows(`SELECT user_id AS u, visitor_id AS vi, session_id AS s, ts_ms AS t FROM events WHERE ${chWhere(b, productId, f)} ORDER BY ts_ms, seq LIMIT ${b.int(limit)}`, b);
    },
    userDaysInOrder: () => null,
    *funnelRows(productId, steps, span, breakdown) {
      const b = new Binder();
      const masks = steps.map((s, i) => `if(name = ${b.str(s.event)} AND ${chPropertyMatch(b, s.properties)}, ${1 << i}, 0)`);
      const names = [...new Set(steps.map((s) => s.event))];
      const bd = breakdown ? chBreakdown(b, breakdown) : "CAST(NULL AS Nullable(String))";
      // SQLite reads these rows from its (product, user, time, name) index: ties in time by name, then arrival.
      const sql = `SELECT entity, ts, mask, b FROM (
          SELECT assumeNotNull(user_id) AS entity, ts_ms AS ts, toUInt32(${masks.join(" + ")}) AS mask, ${bd} AS b, name, seq
          FROM events
          WHERE product_id = ${b.str(productId)} AND user_id IS NOT NULL AND ts_ms >= ${b.int(span.from)} AND ts_ms < ${b.int(span.to)} AND name IN (${names.map((x) => b.str(x)).join(", ")})
        ) WHERE mask > 0 ORDER BY entity, ts, name, seq`;
      yield* rows<FunnelRow>(sql, b);
    },
    firstEventTime(productId) {
      const b = new Binder();
      const r = rows<{ t: number | null }>(`SELECT minOrNull(ts_ms) AS t FROM events WHERE product_id = ${b.str(productId)}`, b)[0];
      return r?.t ?? null;
    },
    personEvents(productId, person) {
      const b = new Binder();
      return rows<PersonRow>(
        `SELECT seq, id, ts_ms, name, namespace, user_id, session_id, visitor_id, properties, context FROM events WHERE product_id = ${b.str(productId)} AND ${chPersonMatch(b, person)} ORDER BY ts_ms, seq`,
        b,
      );
    },
    namespaces(productId, limit) {
      const b = new Binder();
      return rows<{ n: string }>(`SELECT DISTINCT assumeNotNull(namespace) AS n FROM events WHERE product_id = ${b.str(productId)} AND namespace IS NOT NULL ORDER BY n LIMIT ${b.int(limit)}`, b).map((r) => r.n);
    },
  };
}
