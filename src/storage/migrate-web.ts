import type { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import { AGG_COLUMNS, SESSION_COLUMNS, WEB_EVENT_COLUMNS } from "./web-plane";
import { tsvText, type ClickHouseTransport } from "./clickhouse/transport";

/**
 * The web tables' side of `migrate-data` (src/storage/migrate-data.ts): raw hits with their seq,
 * visits (their latest version on ClickHouse, written there as version 0 so the writer's next
 * update supersedes it), and the hour / day aggregates. Aggregate rows whose counters are all 0
 * (SQLite keeps them after a visit took its counts back; ClickHouse's summing merges drop them)
 * are neither copied nor counted, on both sides. Every table is read in one fixed order, so the
 * target's row count is how far a copy got.
 */
export const WEB_TABLES = ["web_events", "web_sessions", "web_agg_hour", "web_agg_day"] as const;
export type WebTable = (typeof WEB_TABLES)[number];
export const isWebTable = (t: string): t is WebTable => (WEB_TABLES as readonly string[]).includes(t);

type CopyRow = (string | number | null)[];
export type WebCopy = {
  count(table: WebTable): number;
  /** A checksum the table accounts for: rows of hits and visits, the summed visits + page views + events of an aggregate. */
  points(table: WebTable): number;
  read(table: WebTable, offset: number, limit: number): CopyRow[];
  write(table: WebTable, rows: CopyRow[]): void;
};

const EVENTS = ["seq", ...WEB_EVENT_COLUMNS];
const COUNTERS = AGG_COLUMNS.slice(4);
const AGG_KEY = "product_id, dim, bucket, value";
const columnsOf = (table: WebTable): readonly string[] => (table === "web_events" ? EVENTS : table === "web_sessions" ? SESSION_COLUMNS : AGG_COLUMNS);

export function sqliteWebCopy(sqlite: Database): WebCopy {
  const nonZero = COUNTERS.map((c) => `${c} != 0`).join(" OR ");
  const from = (table: WebTable) => (table === "web_events" || table === "web_sessions" ? table : `${table} WHERE ${nonZero}`);
  const order = (table: WebTable) => (table === "web_events" ? "seq" : table === "web_sessions" ? "id" : AGG_KEY);
  return {
    count: (table) => (sqlite.query(`SELECT count(*) AS n FROM ${from(table)}`).get() as { n: number }).n,
    points: (table) =>
      (sqlite.query(table === "web_events" || table === "web_sessions" ? `SELECT count(*) AS n FROM ${table}` : `SELECT coalesce(sum(visits + pageviews + events), 0) AS n FROM ${table}`).get() as { n: number }).n,
    read: (table, offset, limit) => sqlite.query(`SELECT ${columnsOf(table).join(", ")} FROM ${from(table)} ORDER BY ${order(table)} LIMIT ? OFFSET ?`).values(limit, offset) as CopyRow[],
    write(table, rows) {
      const cols = columnsOf(table);
      sqlite.transaction(() => {
        const st = sqlite.query(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`);
        for (const r of rows) st.run(...r);
      }).immediate();
    },
  };
}

export function clickhouseWebCopy(ch: ClickHouseTransport): WebCopy {
  const sums = COUNTERS.map((c) => `sum(${c}) AS ${c}`).join(", ");
  // The aliases are the sums (ClickHouse resolves HAVING names to them).
  const nonZero = COUNTERS.map((c) => `${c} != 0`).join(" OR ");
  const grouped = (table: WebTable) => `SELECT ${AGG_KEY}, ${sums} FROM ${table} GROUP BY ${AGG_KEY} HAVING ${nonZero}`;
  const cell = (x: string | number | null) => (x === null ? "\\N" : typeof x === "number" ? String(x) : tsvText(x));
  const n = (sql: string, params = {}) => Number(ch.query(sql, params)[0]?.n ?? 0);
  return {
    count: (table) =>
      table === "web_events" ? n("SELECT count() AS n FROM web_events") : table === "web_sessions" ? n("SELECT count() AS n FROM web_sessions FINAL") : n(`SELECT count() AS n FROM (${grouped(table)})`),
    points: (table) =>
      table === "web_events" ? n("SELECT count() AS n FROM web_events") : table === "web_sessions" ? n("SELECT count() AS n FROM web_sessions FINAL") : n(`SELECT sum(visits + pageviews + events) AS n FROM ${table}`),
    read(table, offset, limit) {
      const cols = columnsOf(table).join(", ");
      const sql =
        table === "web_events"
          ? `SELECT ${cols} FROM web_events ORDER BY seq`
          : table === "web_sessions"
          ? `SELECT ${cols} FROM web_sessions FINAL ORDER BY id`
          : `SELECT ${cols} FROM (${grouped(table)}) ORDER BY ${AGG_KEY}`;
      return ch.query(`${sql} LIMIT {limit:UInt64} OFFSET {offset:UInt64}`, { limit, offset }).map((r) => Object.values(r) as CopyRow);
    },
    write(table, rows) {
      const cols = [...columnsOf(table), ...(table === "web_sessions" ? ["ver"] : [])];
      const body = rows.map((r) => [...r, ...(table === "web_sessions" ? [0] : [])].map(cell).join("\t")).join("\n") + "\n";
      ch.insertTsv(table, cols, body, { insert_deduplication_token: `migrate:${randomUUID()}` });
    },
  };
}
