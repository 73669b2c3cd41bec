import { randomUUID } from "node:crypto";
import { BLOCK_MS, createBlockWriter, type BlockWriter } from "./sqlite/point-blocks";
import { existsSync, readFileSync, rmSync } from "node:fs";
import type { Database } from "bun:sqlite";
import { writeFileAtomic } from "../lib/atomic-write";
import { clickhouseWebCopy, isWebTable, sqliteWebCopy, WEB_TABLES, type WebCopy } from "./migrate-web";
import { createFoldJournal } from "../writer/web/journal";
import { AppError } from "../lib/errors";
import { tsvText, type ClickHouseTransport } from "./clickhouse/transport";
import { recordNewestSeq } from "./clickhouse/events-sql";

/**
 * `litekpi migrate-data --to chdb|sqlite` (README "Storage engines"): copies the data plane the
 * ClickHouse adapter covers — raw points, the three rollups, product events and web analytics (src/storage/migrate-web.ts) — from one engine to the other, in
 * batches, with the server stopped. Rollups are copied as they are (not rebuilt from raw points:
 * retention may have deleted raw points that the rollups still count), so the materialized views
 * are detached while copying into ClickHouse (a detach that is undone by any restart). Minute
 * rows are copied only before each product's retention cut, on both sides: SQLite keeps no
 * minute rows after it (raw points answer those minutes; src/storage/sqlite/minute-cut.ts), while
 * ClickHouse's materialized view writes them everywhere.
 *
 * Resumable without a checkpoint of its own: every table is copied in one fixed order and the
 * target starts empty, so the target's row count is how far the copy got. A marker file says a
 * copy is under way (a target holding rows without it is refused unless --replace). At the end
 * each table's rows and total point count are compared on both sides.
 */
export type MigrateDirection = "to-clickhouse" | "to-sqlite";
export type TableCount = { table: string; source: number; target: number; points: { source: number; target: number } };
export type MigrateProgress = (table: string, done: number, total: number) => void;

const TABLES = ["points", "rollup_1m", "rollup_1h", "rollup_1d", "events", ...WEB_TABLES] as const;
type Table = (typeof TABLES)[number];
const VIEWS = ["rollup_1m_mv", "rollup_1h_mv", "rollup_1d_mv"];
const STAGING = "migrate_rollup_rows";

export function migrateData(opts: {
  sqlite: Database;
  ch: ClickHouseTransport;
  direction: MigrateDirection;
  markerPath: string;
  replace: boolean;
  batchSize?: number;
  progress?: MigrateProgress;
}): TableCount[] {
  const { sqlite, ch, direction } = opts;
  const batch = opts.batchSize ?? 50_000;
  const cuts = sqlite.query("SELECT product_id AS p, points_before AS t FROM retention_cuts ORDER BY product_id").all() as { p: string; t: number }[];
  // Web aggregate changes a killed writer left in its journal are folded first (src/writer/web/journal.ts).
  if (direction === "to-clickhouse") createFoldJournal(sqlite).fold();
  const onSqlite = withWeb(sqliteSide(sqlite), sqliteWebCopy(sqlite));
  const onClickHouse = withWeb(clickhouseSide(ch, cuts), clickhouseWebCopy(ch));
  const target = direction === "to-clickhouse" ? onClickHouse : onSqlite;
  const source = direction === "to-clickhouse" ? onSqlite : onClickHouse;
  const marker = existsSync(opts.markerPath) ? (JSON.parse(readFileSync(opts.markerPath, "utf8")) as { direction: string }) : null;
  if (marker && marker.direction !== direction) {
    throw new AppError(409, "migration_in_progress", `A copy ${marker.direction} is unfinished: run it again to finish it, or remove ${opts.markerPath}`);
  }
  if (!marker) {
    const held = TABLES.filter((t) => target.count(t) > 0);
    if (held.length && !opts.replace) {
      throw new AppError(409, "target_not_empty", `The target already holds ${held.join(", ")}: pass --replace to delete them first`, { field: "replace" });
    }
    for (const t of held) target.clear(t);
    writeFileAtomic(opts.markerPath, JSON.stringify({ direction, startedAt: new Date().toISOString() }) + "\n", 0o600);
  }
  target.begin();
  try {
    for (const table of TABLES) {
      const total = source.count(table);
      let done = target.count(table);
      opts.progress?.(table, done, total);
      while (done < total) {
        const rows = source.read(table, done, batch);
        if (!rows.length) break;
        target.write(table, rows);
        done += rows.length;
        opts.progress?.(table, done, total);
      }
    }
  } finally {
    target.end();
  }
  const counts = TABLES.map((table) => ({ table, source: source.count(table), target: target.count(table), points: { source: source.points(table), target: target.points(table) } }));
  const wrong = counts.filter((c) => c.source !== c.target || Math.abs(c.points.source - c.points.target) > 0);
  if (wrong.length) {
    throw new AppError(500, "migration_mismatch", `Counts differ after the copy: ${wrong.map((c) => `${c.table} ${c.source}→${c.target} rows, ${c.points.source}→${c.points.target} points`).join("; ")}. Run again with --replace.`);
  }
  rmSync(opts.markerPath, { force: true });
  return counts;
}

/** One row of any of the tables, in the column order both sides read and write. */
type CopyRow = (string | number | null)[];

// Events keep their seq (the API's `seq_<n>` ids and page snapshots name it).
const EVENT_COLUMNS = ["product_id", "seq", "id", "ts_ms", "name", "namespace", "user_id", "session_id", "visitor_id", "properties", "context"];
const EVENT_SELECT = EVENT_COLUMNS.join(", ");

type Side = {
  count(table: Table): number;
  /** Points the table accounts for: rows of `points`, the summed counts of a rollup. */
  points(table: Table): number;
  read(table: Table, offset: number, limit: number): CopyRow[];
  write(table: Table, rows: CopyRow[]): void;
  clear(table: Table): void;
  begin(): void;
  end(): void;
};

/** The web tables (src/storage/migrate-web.ts) beside the points' and events' own. */
function withWeb(side: Side, web: WebCopy): Side {
  return {
    ...side,
    count: (t) => (isWebTable(t) ? web.count(t) : side.count(t)),
    points: (t) => (isWebTable(t) ? web.points(t) : side.points(t)),
    read: (t, offset, limit) => (isWebTable(t) ? web.read(t, offset, limit) : side.read(t, offset, limit)),
    write: (t, rows) => (isWebTable(t) ? web.write(t, rows) : side.write(t, rows)),
  };
}

// points: product, series, all-tags series, ts_ms, value; rollups: product, series, bucket, count, sum, min, max; events: EVENT_COLUMNS.
function sqliteSide(sqlite: Database): Side {
  // Points go into hour blocks as the writer stores them, a series' run of a batch at a time.
  let blocks: BlockWriter | null = null;
  const writePoints = (rows: CopyRow[]) => {
    blocks ??= createBlockWriter(sqlite);
    const bySeries = new Map<number, { t: number[]; v: number[] }>();
    for (const r of rows) {
      let g = bySeries.get(r[1] as number);
      if (!g) bySeries.set(r[1] as number, (g = { t: [], v: [] }));
      g.t.push(r[3] as number);
      g.v.push(r[4] as number);
    }
    for (const [seriesId, { t, v }] of bySeries) {
      const order = t.map((_, i) => i).sort((x, y) => t[x]! - t[y]! || x - y);
      blocks.write(seriesId, order.map((i) => t[i]!), order.map((i) => v[i]!));
    }
    blocks.finish();
  };
  const allTags = `(SELECT a.id FROM series a WHERE a.product_id = s.product_id AND a.metric = s.metric AND a.tags_hash = '*')`;
  // rollup_1m holds nothing from a product's cut on (kept as the other side filters it).
  const rows = (table: Table) =>
    table === "rollup_1m"
      ? `(SELECT m.* FROM rollup_1m m JOIN series ms ON ms.id = m.series_id JOIN retention_cuts mc ON mc.product_id = ms.product_id WHERE m.bucket_start < mc.points_before)`
      : table;
  return {
    count: (table) => (sqlite.query(`SELECT count(*) AS n FROM ${rows(table)}`).get() as { n: number }).n,
    points: (table) =>
      (sqlite.query(table === "points" || table === "events" ? `SELECT count(*) AS n FROM ${table}` : `SELECT coalesce(sum(count), 0) AS n FROM ${rows(table)}`).get() as { n: number }).n,
    read(table, offset, limit) {
      const sql =
        table === "events"
          ? `SELECT ${EVENT_SELECT} FROM events ORDER BY seq LIMIT ? OFFSET ?`
          : table === "points"
          ? // Hour blocks in the order they were written, each one's points in its own order (json_each keeps it).
            `SELECT s.product_id, b.series_id, ${allTags}, b.block * ${BLOCK_MS} + (j.value ->> 0), CAST(j.value ->> 1 AS REAL)
             FROM point_blocks b JOIN series s ON s.id = b.series_id, json_each(b.data) j ORDER BY b.id LIMIT ? OFFSET ?`
          : `SELECT s.product_id, r.series_id, r.bucket_start, r.count, r.sum, r.min, r.max FROM ${rows(table)} r JOIN series s ON s.id = r.series_id ORDER BY r.series_id, r.bucket_start LIMIT ? OFFSET ?`;
      return sqlite.query(sql).values(limit, offset) as CopyRow[];
    },
    write(table, rows) {
      sqlite.transaction(() => {
        if (table === "points") return writePoints(rows);
        if (table === "events") {
          const ev = sqlite.query(`INSERT INTO events (${EVENT_SELECT}) VALUES (${EVENT_COLUMNS.map(() => "?").join(", ")})`);
          for (const r of rows) ev.run(...r);
          return;
        }
        const st = sqlite.query(`INSERT INTO ${table} (series_id, bucket_start, count, sum, min, max) VALUES (?, ?, ?, ?, ?, ?)`);
        for (const r of rows) st.run(...(r.slice(1) as (string | number)[]));
      }).immediate();
    },
    clear(table) {
      blocks?.forget();
      sqlite.exec(`DELETE FROM ${table === "points" ? "point_blocks" : table}`);
      // The user-day rows came from the events replaced: without a zone's state row the engine
      // reads raw events, and the writer starts (and the user-days job completes) the rows again.
      if (table === "events") sqlite.exec("DELETE FROM event_user_days; DELETE FROM event_name_user_days; DELETE FROM event_day_rollups");
      // Journal rows would add their changes to the aggregates replaced.
      if (table === "web_agg_hour") sqlite.exec("DELETE FROM web_fold_journal");
    },
    begin() {},
    end() {},
  };
}

function clickhouseSide(ch: ClickHouseTransport, cuts: { p: string; t: number }[]): Side {
  const once = () => ({ insert_deduplication_token: `migrate:${randomUUID()}` });
  // Minute rows before each product's cut only; none for a product without one.
  const cutParams = { cp: cuts.map((c) => c.p), cv: cuts.map((c) => c.t) };
  const where = (table: Table) =>
    table !== "rollup_1m" ? "" : cuts.length ? " WHERE has({cp:Array(String)}, product_id) AND bucket_start < {cv:Array(Int64)}[indexOf({cp:Array(String)}, product_id)]" : " WHERE 0";
  const params = (table: Table) => (table === "rollup_1m" && cuts.length ? cutParams : {});
  return {
    count: (table) =>
      Number(ch.query(table === "points" || table === "events" ? `SELECT count() AS n FROM ${table}` : `SELECT count() AS n FROM (SELECT 1 FROM ${table}${where(table)} GROUP BY product_id, series_id, bucket_start)`, params(table))[0]?.n ?? 0),
    points: (table) => Number(ch.query(table === "points" || table === "events" ? `SELECT count() AS n FROM ${table}` : `SELECT sumMerge(count) AS n FROM ${table}${where(table)}`, params(table))[0]?.n ?? 0),
    read(table, offset, limit) {
      const sql =
        table === "events"
          ? `SELECT ${EVENT_SELECT} FROM events ORDER BY seq LIMIT {limit:UInt64} OFFSET {offset:UInt64}`
          : table === "points"
          ? "SELECT product_id, series_id, all_tags_id, ts_ms, value FROM points ORDER BY product_id, series_id, ts_ms, value LIMIT {limit:UInt64} OFFSET {offset:UInt64}"
          : `SELECT product_id, series_id, bucket_start, sumMerge(count) AS c, sumMerge(sum) AS s, minMerge(min) AS lo, maxMerge(max) AS hi FROM ${table}${where(table)}
             GROUP BY product_id, series_id, bucket_start ORDER BY product_id, series_id, bucket_start LIMIT {limit:UInt64} OFFSET {offset:UInt64}`;
      return ch.query(sql, { limit, offset, ...params(table) }).map((r) => Object.values(r) as CopyRow);
    },
    write(table, rows) {
      if (table === "events") {
        const cell = (x: string | number | null) => (x === null ? "\\N" : typeof x === "number" ? String(x) : tsvText(x));
        ch.insertTsv("events", EVENT_COLUMNS, rows.map((r) => r.map(cell).join("\t")).join("\n") + "\n", once());
        return recordNewestSeq(ch, rows.reduce((n, r) => Math.max(n, r[1] as number), 0));
      }
      const body = rows.map((r) => [tsvText(String(r[0])), ...r.slice(1)].join("\t")).join("\n") + "\n";
      if (table === "points") return ch.insertTsv("points", ["product_id", "series_id", "all_tags_id", "ts_ms", "value"], body, once());
      // Aggregate states cannot be written as text: the numbers go through a staging table.
      ch.command(`TRUNCATE TABLE ${STAGING}`);
      ch.insertTsv(STAGING, ["product_id", "series_id", "bucket_start", "count", "sum", "min", "max"], body, once());
      ch.insertSelect(
        table,
        `SELECT product_id, series_id, bucket_start, initializeAggregation('sumState', count), initializeAggregation('sumState', sum),
           initializeAggregation('minState', min), initializeAggregation('maxState', max) FROM ${STAGING}`,
        once(),
      );
    },
    clear(table) {
      ch.command(`TRUNCATE TABLE ${table}`);
    },
    begin() {
      ch.command(`CREATE TABLE IF NOT EXISTS ${STAGING} (product_id String, series_id UInt64, bucket_start Int64, count UInt64, sum Float64, min Float64, max Float64) ENGINE = Memory`);
      for (const v of VIEWS) ch.command(`DETACH TABLE IF EXISTS ${v}`);
    },
    end() {
      for (const v of VIEWS) ch.command(`ATTACH TABLE IF NOT EXISTS ${v}`);
      ch.command(`DROP TABLE IF EXISTS ${STAGING}`);
    },
  };
}
