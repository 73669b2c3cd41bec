import type { Database } from "bun:sqlite";
import type { EventRow, EventsReader, FunnelRow, MetricGroupRow, PersonRow } from "../events-plane";
import { runStatement } from "../../query/statement";
import { bucketIndexSql, metricSql, whereSql } from "../../query/events/sql";
import { userDayRows } from "../../query/events/user-days-plan";
import { propertyMatchSql } from "../../goals/property-match";
import { PERSON_MATCH } from "../../writer/erase";

const EVENT_COLUMNS = "e.seq, e.id, e.ts_ms, e.name, e.namespace, e.properties, e.context";

/** Product events in the SQLite file (the `events` table and the writer's user-day rows). */
export function sqliteEvents(sqlite: Database): EventsReader {
  const capped = <T>(sql: string, params: (string | number)[], cacheable: boolean, limit: number): T[] =>
    runStatement(sqlite, `${sql} LIMIT ${limit}`, cacheable, (st) => st.all(...params)) as T[];
  return {
    metricGroups(productId, q, starts, limit) {
      const { sql, params } = metricSql(productId, q, starts);
      const limited = q.groupBy.length ? `${sql} LIMIT ${limit}` : sql;
      return runStatement(sqlite, limited, q.properties.length === 0, (st) => st.all(...params)) as MetricGroupRow[];
    },
    userDayGroups: (productId, q, starts) => userDayRows(sqlite, productId, q, starts),
    newestSeq: () => (sqlite.query("SELECT coalesce(max(seq), 0) AS n FROM events").get() as { n: number }).n,
    page(productId, f, asOf, desc, limit, offset) {
      const where = whereSql(productId, f);
      const cond = `${where.sql} AND e.seq <= ?`;
      const params = [...where.params, asOf];
      const cacheable = f.properties.length === 0;
      const total = runStatement(sqlite, `SELECT count(*) AS n FROM events e WHERE ${cond}`, cacheable, (st) => (st.get(...params) as { n: number }).n);
      const dir = desc ? "DESC" : "ASC";
      // Ties in time by arrival (seq), which the (product, time) index already carries.
      const rows = runStatement(sqlite, `SELECT ${EVENT_COLUMNS} FROM events e WHERE ${cond} ORDER BY e.ts_ms ${dir}, e.seq ${dir} LIMIT ? OFFSET ?`, cacheable, (st) =>
        st.all(...params, limit, offset),
      ) as EventRow[];
      return { total, rows };
    },
    one: (productId, seq) => sqlite.query(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.product_id = ? AND e.seq = ?`).get(productId, seq) as EventRow | null,
    after(productId, f, after, limit) {
      const where = whereSql(productId, f);
      return sqlite.prepare(`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.seq > ? AND ${where.sql} ORDER BY e.seq LIMIT ?`).all(after, ...where.params, limit) as EventRow[];
    },
    userBuckets(productId, f, starts, limit) {
      const where = whereSql(productId, f);
      const bucket = bucketIndexSql(starts, f.to);
      return capped(`SELECT DISTINCT ${bucket.sql} AS b, e.user_id AS u FROM events e WHERE ${where.sql} AND e.user_id IS NOT NULL`, [...bucket.params, ...where.params], f.properties.length === 0, limit);
    },
    firstSeen(productId, events, limit) {
      const names = events ? ` AND e.name IN (${events.map(() => "?").join(", ")})` : "";
      return capped(`SELECT e.user_id AS u, min(e.ts_ms) AS t FROM events e WHERE e.product_id = ? AND e.user_id IS NOT NULL${names} GROUP BY e.user_id`, [productId, ...(events ?? [])], true, limit);
    },
    eventTimes(productId, f, limit) {
      const where = whereSql(productId, f);
      return capped(`SELECT e.user_id AS u, e.visitor_id AS vi, e.session_id AS s, e.ts_ms AS t FROM events e WHERE ${where.sql} ORDER BY e.ts_ms, e.seq`, where.params, f.properties.length === 0, limit);
    },
    userDaysInOrder(productId, zone, beforeDay, limit) {
      const state = sqlite.query("SELECT complete FROM event_day_rollups WHERE product_id = ? AND zone = ?").get(productId, zone) as { complete: number } | null;
      if (state?.complete !== 1) return null;
      // Rows as arrays, not objects: this read is most of a retention answer.
      const sql = `SELECT day, user_id FROM event_user_days WHERE product_id = ? AND zone = ? AND day < ? ORDER BY day LIMIT ${limit}`;
      return runStatement(sqlite, sql, true, (st) => st.values(productId, zone, beforeDay)) as [number, string][];
    },
    funnelRows(productId, steps, span, breakdown) {
      const masks: string[] = [];
      const maskParams: (string | number)[] = [];
      const names = new Set<string>();
      steps.forEach((s, i) => {
        const props = propertyMatchSql(s.properties);
        masks.push(`(CASE WHEN name = ? AND ${props.sql} THEN ${1 << i} ELSE 0 END)`);
        maskParams.push(s.event, ...props.params);
        names.add(s.event);
      });
      const b = breakdown ? `, CAST(COALESCE(json_extract(properties, ?), json_extract(context, ?)) AS TEXT) AS b` : ", NULL AS b";
      const bParams = breakdown ? [`$."${breakdown}"`, `$."${breakdown}"`] : [];
      // The (product, user, time, name) index gives rows already in the engine's order and holds
      // every column the step test reads but properties, which SQLite fetches from the row only
      // when a step's name matched (a deferred seek). Measured at 1M events: 0.95 s against 3.6 s
      // through the time index with a sort of every step event (the planner's own choice).
      const sql = `SELECT entity, ts, mask, b FROM (
          SELECT user_id AS entity, ts_ms AS ts, ${masks.join(" + ")} AS mask${b}
          FROM events INDEXED BY events_product_user_ts_idx
          WHERE product_id = ? AND user_id IS NOT NULL AND ts_ms >= ? AND ts_ms < ? AND name IN (${[...names].map(() => "?").join(", ")})
        ) WHERE mask > 0 ORDER BY entity, ts`;
      return sqlite.query(sql).iterate(...maskParams, ...bParams, productId, span.from, span.to, ...names) as Iterable<FunnelRow>;
    },
    firstEventTime: (productId) => (sqlite.query("SELECT min(ts_ms) AS t FROM events WHERE product_id = ?").get(productId) as { t: number | null }).t,
    personEvents: (productId, person) =>
      sqlite
        .query(`SELECT seq, id, ts_ms, name, namespace, user_id, session_id, visitor_id, properties, context FROM events WHERE product_id = ?2 AND ${PERSON_MATCH} ORDER BY ts_ms, seq`)
        .all(person, productId) as PersonRow[],
    namespaces: (productId, limit) =>
      (sqlite.query(`SELECT DISTINCT namespace AS n FROM events WHERE product_id = ? AND namespace IS NOT NULL ORDER BY namespace LIMIT ${limit}`).all(productId) as { n: string }[]).map((r) => r.n),
  };
}
