import { randomUUID } from "node:crypto";
import type { AggTarget } from "../../writer/web/fold";
import { AGG_COLUMNS, SESSION_COLUMNS, WEB_EVENT_COLUMNS, type StoredSession, type WebSink } from "../web-plane";
import { Binder } from "./events-sql";
import { tsvText, type ClickHouseTransport } from "./transport";

const SESSIONS = SESSION_COLUMNS.join(", ");
const cell = (x: string | number | null) => (x === null ? "\\N" : typeof x === "number" ? String(x) : tsvText(x));

/**
 * Web rows into ClickHouse, once per flush right before COMMIT (src/writer/flush.ts): the raw
 * hits (numbered by `seq` here, in arrival order), the new state of every visit the flush
 * touched (a row per visit, versioned: the table keeps the latest, migration 0003), and the
 * flush's folded aggregate deltas for the summing tables. Synchronous inserts ClickHouse
 * acknowledged; if one throws, the flush rolls back and is answered 503. No fold journal: the
 * summing tables take each flush's deltas directly (one insert per table), so nothing waits.
 *
 * Four inserts are not one transaction: a failure after the first leaves its rows, and the
 * writer (which forgets its memory on rollback and rebuilds it from these tables) then sees them
 * as stored. ClickHouse offers no multi-table atomicity; the order (hits, visits, hours, days)
 * keeps what a partial flush leaves readable.
 */
export function createClickHouseWebSink(ch: ClickHouseTransport): WebSink {
  let nextSeq = Number(ch.query("SELECT max(seq) AS n FROM web_events")[0]?.n ?? 0) + 1;
  let ver = Number(ch.query("SELECT max(ver) AS n FROM web_sessions")[0]?.n ?? 0);
  const once = () => ({ insert_deduplication_token: `web:${randomUUID()}` });
  const insert = (table: string, columns: readonly string[], body: string) => {
    if (!body) return;
    try {
      ch.insertTsv(table, [...columns], body, once());
    } catch (err) {
      throw Object.assign(new Error(String((err as Error).message ?? err).split("\n")[0]!.slice(0, 300)), { code: "CLICKHOUSE_WRITE", cause: err });
    }
  };
  const count = (sql: string, b: Binder) => Number(ch.query(sql, b.params)[0]?.n ?? 0);
  const sessionsWhere = (where: (b: Binder) => string) => {
    const b = new Binder();
    return ch.query(`SELECT ${SESSIONS} FROM web_sessions FINAL WHERE ${where(b)}`, b.params) as StoredSession[];
  };
  const tsvTarget = () => {
    const out = { body: "", target: null as unknown as AggTarget };
    out.target = { run: (...values: (string | number)[]) => void (out.body += values.map((v) => cell(v)).join("\t") + "\n") };
    return out;
  };

  return {
    write({ events, sessions, fold }) {
      let body = "";
      for (const e of events) {
        body += `${tsvText(e[0])}\t${nextSeq++}`;
        for (let k = 1; k < e.length; k++) body += "\t" + cell(e[k]!);
        body += "\n";
      }
      insert("web_events", ["product_id", "seq", ...WEB_EVENT_COLUMNS.slice(1)], body);
      ver++;
      body = "";
      for (const s of sessions) {
        body += [
          s.id, s.productId, s.visitorId, s.persistedId, s.startMs, s.lastMs, s.lastActiveMs, s.tailEngagedMs, s.engagedMs, s.pageviews, s.events, s.customEvents,
          s.entryPage, s.exitPage, s.hostname, s.source, s.referrer, s.utmSource, s.utmMedium, s.utmCampaign, s.utmContent, s.utmTerm, s.clickIds,
          s.country, s.region, s.device, s.browser, s.os, ver,
        ].map(cell).join("\t") + "\n";
      }
      insert("web_sessions", [...SESSION_COLUMNS, "ver"], body);
      const hour = tsvTarget();
      const day = tsvTarget();
      fold.write({ hour: hour.target, day: day.target });
      insert("web_agg_hour", AGG_COLUMNS, hour.body);
      insert("web_agg_day", AGG_COLUMNS, day.body);
    },
    foldPending: () => false,
    fold: () => 0,
    maxSessionId: () => Number(ch.query("SELECT max(id) AS n FROM web_sessions")[0]?.n ?? 0),
    openSessions: (productId, lastAfter) => sessionsWhere((b) => `product_id = ${b.str(productId)} AND last_ms > ${b.int(lastAfter)}`),
    sessionsStartedSince: (productId, from) => sessionsWhere((b) => `product_id = ${b.str(productId)} AND start_ms >= ${b.int(from)}`),
    hitsSince(productId, from) {
      const b = new Binder();
      return ch.query(
        `SELECT session_id, visitor_id, ts_ms, name, hostname, pathname, props FROM web_events WHERE product_id = ${b.str(productId)} AND ts_ms >= ${b.int(from)} AND name != 'engagement'`,
        b.params,
      ) as ReturnType<WebSink["hitsSince"]>;
    },
    deleteOld(productId, before) {
      // Lightweight DELETEs (rows masked at once, removed by merges). One takes every hit before
      // the cut (ClickHouse has no per-row LIMIT to batch by); the next call the visits, then 0.
      const b = new Binder();
      const where = `product_id = ${b.str(productId)} AND ts_ms < ${b.int(before)}`;
      const hits = count(`SELECT count() AS n FROM web_events WHERE ${where}`, b);
      if (hits) {
        ch.command(`DELETE FROM web_events WHERE ${where}`, b.params);
        return hits;
      }
      // A visit's last_ms only grows from version to version, so this takes every version of
      // the visits that ended before the cut, and only old versions of the others (never read).
      const s = new Binder();
      const ended = `product_id = ${s.str(productId)} AND last_ms < ${s.int(before)}`;
      const visits = count(`SELECT count() AS n FROM web_sessions FINAL WHERE ${ended}`, s);
      if (count(`SELECT count() AS n FROM web_sessions WHERE ${ended}`, s)) ch.command(`DELETE FROM web_sessions WHERE ${ended}`, s.params);
      return visits;
    },
    erasePerson(productId, person) {
      const b = new Binder();
      const ids = `SELECT id FROM web_sessions WHERE product_id = ${b.str(productId)} AND persisted_id = ${b.str(person)}`;
      const hits = count(`SELECT count() AS n FROM web_events WHERE product_id = ${b.str(productId)} AND session_id IN (${ids})`, b);
      const visits = count(`SELECT count() AS n FROM web_sessions FINAL WHERE id IN (${ids})`, b);
      if (hits) ch.command(`DELETE FROM web_events WHERE product_id = ${b.str(productId)} AND session_id IN (${ids})`, b.params);
      if (visits) ch.command(`DELETE FROM web_sessions WHERE id IN (${ids})`, b.params);
      return hits + visits;
    },
    purgeProduct(productId) {
      let n = 0;
      for (const table of ["web_events", "web_sessions", "web_agg_hour", "web_agg_day"]) {
        const b = new Binder();
        const where = `product_id = ${b.str(productId)}`;
        const rows = count(`SELECT count() AS n FROM ${table} WHERE ${where}`, b);
        if (rows) ch.command(`DELETE FROM ${table} WHERE ${where}`, b.params);
        n += rows;
      }
      return n;
    },
  };
}
