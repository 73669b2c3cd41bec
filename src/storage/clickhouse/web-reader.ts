import type { EventRow, SessionRow } from "../../web/query/filters";
import type { AttributedSession } from "../../revenue/attribution";
import { SESSION_COLUMNS, type AggSumRow, type FunnelHitRow, type RevenueHit, type WebReader } from "../web-plane";
import { Binder } from "./events-sql";
import type { ClickHouseTransport } from "./transport";
import { DAY_HOURS } from "../../writer/web/dims";

const SESSIONS = SESSION_COLUMNS.join(", ");
const HITS = "session_id, visitor_id, ts_ms, name, hostname, pathname, props, engaged_ms, scroll_depth";
// ClickHouse's IN takes an array parameter; chunks keep one query's text and parameters small.
const CHUNK = 5_000;

// At most 93 days of hour rows in memory per dimension (the 91d range, a month by day).
const HOUR_PREFETCH_LIMIT = 93 * DAY_HOURS;
const COUNTERS = ["first_seen", "last_seen", "hour_seen", "visits", "bounces", "duration_ms", "visit_pageviews", "visit_events", "pageviews", "events"];
const COUNTER_SUMS = COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(", ");
/** bucket, value, then COUNTERS summed. */
type BucketRow = [number, string, number, number, number, number, number, number, number, number, number, number];
type Held = [from: number, to: number, rows: BucketRow[]];

/**
 * What aggDays (a = null) or aggHours give for [from, to), from prefetched rows: the same sums
 * their SQL takes (hours before `a` count only first_seen and last_seen).
 */
function sumHeld(rows: BucketRow[], from: number, to: number, a: number | null): AggSumRow[] {
  const out = new Map<string, AggSumRow>();
  for (const r of rows) {
    const bucket = r[0];
    if (bucket < from || bucket >= to) continue;
    let o = out.get(r[1]);
    if (!o) out.set(r[1], (o = [r[1], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    o[1] += r[2];
    if (a === null) {
      for (let k = 4; k <= 10; k++) o[k] = (o[k] as number) + (r[k + 1] as number);
      continue;
    }
    if (bucket < a) o[2] += r[3];
    o[3] += r[4];
    if (bucket >= a) for (let k = 4; k <= 10; k++) o[k] = (o[k] as number) + (r[k + 1] as number);
  }
  return [...out.values()];
}

/**
 * Web analytics in ClickHouse (migration 0003). Answers as the SQLite reader does: the same rows,
 * ties broken the same way (time, then seq = arrival order), NULLs where SQLite has them. Visits
 * are read with FINAL (the latest version of each, however many flushes updated it); aggregates
 * with sum() … GROUP BY (deltas not yet merged add up the same); distinct counts with uniqExact.
 */
export function clickhouseWeb(ch: ClickHouseTransport): WebReader {
  const rows = <T>(sql: string, b: Binder) => ch.query(sql, b.params) as T[];
  // Rows of aggPrefetch, for the rest of this synchronous run (emptied as soon as it yields).
  const prefetched = new Map<string, { days: Held; hours: Held | null }>();
  const sessionsWhere = <T = SessionRow>(where: (b: Binder) => string, order = "") => {
    const b = new Binder();
    return rows<T>(`SELECT ${SESSIONS} FROM web_sessions FINAL WHERE ${where(b)}${order}`, b);
  };
  const aggRows = (sql: string, b: Binder) => ch.query(sql, b.params).map((r) => Object.values(r) as AggSumRow);
  const overlapping = (b: Binder, productId: string, from: number, to: number) =>
    `SELECT id FROM web_sessions FINAL WHERE product_id = ${b.str(productId)} AND last_ms >= ${b.int(from)} AND start_ms < ${b.int(to)}`;
  return {
    sessionsOverlapping: (productId, from, to) => sessionsWhere((b) => `product_id = ${b.str(productId)} AND last_ms >= ${b.int(from)} AND start_ms < ${b.int(to)}`),
    hitsOfOverlapping(productId, from, to, names) {
      if (names !== null && !names.length) return [];
      const b = new Binder();
      const p = b.str(productId);
      const which = names === null ? "name != 'identify'" : `name IN ${b.bind(names, "Array(String)")}`;
      return rows<EventRow>(`SELECT ${HITS} FROM web_events WHERE product_id = ${p} AND session_id IN (${overlapping(b, productId, from, to)}) AND ${which} ORDER BY ts_ms, seq`, b);
    },
    sessionsByIds(productId, ids) {
      const out: SessionRow[] = [];
      for (let k = 0; k < ids.length; k += CHUNK) {
        const chunk = ids.slice(k, k + CHUNK);
        out.push(...sessionsWhere((b) => `product_id = ${b.str(productId)} AND id IN ${b.bind(chunk, "Array(UInt64)")}`));
      }
      return out;
    },
    sessionById: (productId, id) => sessionsWhere((b) => `product_id = ${b.str(productId)} AND id = ${b.bind(id, "UInt64")}`)[0] ?? null,
    aggPrefetch(productId, dim, fromHour, toHour) {
      const key = productId + "\u0001" + dim;
      if (!prefetched.size) queueMicrotask(() => prefetched.clear());
      const fromDay = Math.floor(fromHour / DAY_HOURS);
      const toDay = Math.ceil(toHour / DAY_HOURS);
      // Hour rows only for ranges short enough to be charted by hour or day; longer ones read
      // day rows here and their few edge hours by query.
      const hours = toHour - fromHour <= HOUR_PREFETCH_LIMIT ? [fromDay * DAY_HOURS, toDay * DAY_HOURS] as const : null;
      const read = (table: string, lo: number, hi: number) => {
        const b = new Binder();
        return ch
          .query(
            `SELECT bucket, value, ${COUNTER_SUMS} FROM ${table} WHERE product_id = ${b.str(productId)} AND dim = ${b.str(dim)} AND bucket >= ${b.int(lo)} AND bucket < ${b.int(hi)} GROUP BY bucket, value`,
            b.params,
          )
          .map((r) => Object.values(r) as BucketRow);
      };
      prefetched.set(key, { days: [fromDay, toDay, read("web_agg_day", fromDay, toDay)], hours: hours ? [hours[0], hours[1], read("web_agg_hour", hours[0], hours[1])] : null });
    },
    aggDays(productId, dim, fromDay, toDay) {
      const held = prefetched.get(productId + "\u0001" + dim)?.days;
      if (held && held[0] <= fromDay && toDay <= held[1]) return sumHeld(held[2], fromDay, toDay, null);
      const b = new Binder();
      return aggRows(
        `SELECT value, sum(first_seen) AS f, 0 AS l, 0 AS hs, sum(visits) AS visits, sum(bounces) AS bounces, sum(duration_ms) AS duration,
           sum(visit_pageviews) AS vpv, sum(visit_events) AS vev, sum(pageviews) AS pv, sum(events) AS ev
         FROM web_agg_day WHERE product_id = ${b.str(productId)} AND dim = ${b.str(dim)} AND bucket >= ${b.int(fromDay)} AND bucket < ${b.int(toDay)} GROUP BY value`,
        b,
      );
    },
    aggHours(productId, dim, a, fromHour, toHour) {
      const held = prefetched.get(productId + "\u0001" + dim)?.hours;
      if (held && held[0] <= fromHour && toHour <= held[1]) return sumHeld(held[2], fromHour, toHour, a);
      const b = new Binder();
      const at = b.int(a);
      // Hours before a count only their last_seen (subtracted) and first_seen; hours from a on, everything but last_seen.
      const from = (col: string) => `sumIf(${col}, bucket >= ${at})`;
      return aggRows(
        `SELECT value, sum(first_seen) AS f, sumIf(last_seen, bucket < ${at}) AS l, sum(hour_seen) AS hs, ${from("visits")} AS visits, ${from("bounces")} AS bounces,
           ${from("duration_ms")} AS duration, ${from("visit_pageviews")} AS vpv, ${from("visit_events")} AS vev, ${from("pageviews")} AS pv, ${from("events")} AS ev
         FROM web_agg_hour WHERE product_id = ${b.str(productId)} AND dim = ${b.str(dim)} AND bucket >= ${b.int(fromHour)} AND bucket < ${b.int(toHour)} GROUP BY value`,
        b,
      );
    },
    realtimeVisitors(productId, since) {
      const b = new Binder();
      return Number(rows<{ n: number }>(`SELECT uniqExact(visitor_id) AS n FROM web_events WHERE product_id = ${b.str(productId)} AND ts_ms >= ${b.int(since)}`, b)[0]?.n ?? 0);
    },
    firstAggDay(productId) {
      const b = new Binder();
      const r = rows<{ d: number; n: number }>(`SELECT min(bucket) AS d, count() AS n FROM web_agg_day WHERE product_id = ${b.str(productId)} AND dim = ''`, b)[0];
      return r && Number(r.n) > 0 ? Number(r.d) : null;
    },
    firstHitBetween(productId, from, to) {
      const b = new Binder();
      const r = rows<{ t: number; n: number }>(`SELECT min(ts_ms) AS t, count() AS n FROM web_events WHERE product_id = ${b.str(productId)} AND ts_ms >= ${b.int(from)} AND ts_ms < ${b.int(to)}`, b)[0];
      return r && Number(r.n) > 0 ? Number(r.t) : null;
    },
    revenueHits(productId, from, to, currency, name) {
      const b = new Binder();
      const byName = name === null ? "" : ` AND name = ${b.str(name)}`;
      return rows<RevenueHit>(
        `SELECT ${HITS}, assumeNotNull(revenue_amount) AS revenue_amount FROM web_events
         WHERE product_id = ${b.str(productId)}${byName} AND ts_ms >= ${b.int(from)} AND ts_ms < ${b.int(to)} AND revenue_amount IS NOT NULL AND revenue_currency = ${b.str(currency)}
         ORDER BY ts_ms, seq`,
        b,
      );
    },
    visitsOfPersisted(productId, persistedIds) {
      const out: (AttributedSession & { persisted_id: string })[] = [];
      for (let k = 0; k < persistedIds.length; k += CHUNK) {
        const chunk = persistedIds.slice(k, k + CHUNK);
        out.push(...sessionsWhere<AttributedSession & { persisted_id: string }>((b) => `product_id = ${b.str(productId)} AND persisted_id IN ${b.bind(chunk, "Array(String)")}`, " ORDER BY start_ms DESC"));
      }
      // Chunks each newest first; the whole list too.
      return persistedIds.length > CHUNK ? out.sort((x, y) => y.start_ms - x.start_ms) : out;
    },
    visitsOfVisitor: (productId, visitorId, until, since) =>
      sessionsWhere<AttributedSession>((b) => `product_id = ${b.str(productId)} AND visitor_id = ${b.int(visitorId)} AND start_ms <= ${b.int(until)} AND start_ms > ${b.int(since)}`, " ORDER BY start_ms DESC"),
    identifiedVisitor(productId, a, x, until) {
      const b = new Binder();
      // lower() is ASCII-only on both engines, as SQLite's is.
      const r = rows<{ v: number }>(
        `SELECT visitor_id AS v FROM web_events WHERE product_id = ${b.str(productId)} AND name = 'identify'
           AND lower(JSONExtractString(ifNull(props, ''), 'id')) IN (lower(${b.str(a)}), lower(${b.str(x)})) AND ts_ms <= ${b.int(until)}
         ORDER BY ts_ms DESC, seq DESC LIMIT 1`,
        b,
      )[0];
      return r ? Number(r.v) : null;
    },
    funnelHits(productId, from, to, names, withStart) {
      const b = new Binder();
      const [p, f, t, n] = [b.str(productId), b.int(from), b.int(to), b.bind(names, "Array(String)")];
      const hitsOf = (e: string) => `${e}product_id = ${p} AND ${e}ts_ms >= ${f} AND ${e}ts_ms < ${t} AND ${e}name IN ${n}`;
      const cond = hitsOf("");
      const cols = "e.visitor_id AS visitor_id, e.ts_ms AS ts_ms, e.name AS name, e.hostname AS hostname, e.pathname AS pathname, e.props AS props, e.session_id AS session_id";
      if (!withStart) return rows<FunnelHitRow>(`SELECT ${cols}, NULL AS start_ms FROM web_events e WHERE ${hitsOf("e.")} ORDER BY visitor_id, ts_ms, e.seq`, b);
      // The starts of the visits these hits are in (only those visits are read).
      return rows<FunnelHitRow>(
        `SELECT ${cols}, s.start_ms AS start_ms FROM web_events e
         LEFT JOIN (SELECT id, start_ms FROM web_sessions FINAL WHERE product_id = ${p} AND id IN (SELECT session_id FROM web_events WHERE ${cond})) s ON s.id = e.session_id
         WHERE ${hitsOf("e.")} ORDER BY visitor_id, ts_ms, e.seq SETTINGS join_use_nulls = 1`,
        b,
      );
    },
  };
}
