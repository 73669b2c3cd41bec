import { join } from "node:path";
import type { Deps } from "../../src/deps";
import { dataPlaneOf } from "../../src/storage";
import { openChdb } from "../../src/storage/clickhouse/chdb";
import type { ClickHouseTransport } from "../../src/storage/clickhouse/transport";

/**
 * What the data plane stored, read from wherever it lives (SQLite, or chdb under STORAGE=chdb),
 * for tests that check storage itself ("in every rollup", "changes nothing"). Series come from
 * the SQLite registry on every engine.
 */
const sessions = new Map<string, ClickHouseTransport>();
export function ch(deps: Deps): ClickHouseTransport | null {
  if (dataPlaneOf(deps.db.$client).engine === "sqlite") return null;
  const path = join(deps.config.dataDir, "clickhouse");
  let t = sessions.get(path);
  // Shares the process's one embedded engine with the app (same path); closed with it.
  if (!t) {
    const opened = (t = openChdb(path));
    sessions.set(path, opened);
    deps.onClose(() => {
      sessions.delete(path);
      opened.close();
    });
  }
  return t;
}

export type StoredPoint = { s: number; t: number; v: number };
export type RollupRow = { s: number; b: number; count: number; sum: number; min: number; max: number };
type Table = "rollup_1m" | "rollup_1h" | "rollup_1d";

function seriesIds(deps: Deps, productId: string, where = "", params: (string | number)[] = []): number[] {
  return (deps.db.$client.query(`SELECT id FROM series WHERE product_id = ? ${where}`).all(productId, ...params) as { id: number }[]).map((r) => r.id);
}

/** A product's raw points, by series then time. */
export function storedPoints(deps: Deps, productId: string): StoredPoint[] {
  const c = ch(deps);
  if (!c) {
    return deps.db.$client
      .query("SELECT p.series_id AS s, p.ts_ms AS t, p.value AS v FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ? ORDER BY p.series_id, p.ts_ms")
      .all(productId) as StoredPoint[];
  }
  return c.query("SELECT series_id AS s, ts_ms AS t, value AS v FROM points WHERE product_id = {p:String} ORDER BY s, t", { p: productId }) as StoredPoint[];
}

/** Rollup rows of a product's series (all-tags rows only with `allTags`, of one metric with `metric`). */
export function rollupRows(deps: Deps, table: Table, productId: string, opts: { metric?: string; allTags?: boolean } = {}): RollupRow[] {
  const cond: string[] = [];
  const params: string[] = [];
  if (opts.metric !== undefined) (cond.push("AND metric = ?"), params.push(opts.metric));
  if (opts.allTags) cond.push("AND tags_hash = '*'");
  const ids = seriesIds(deps, productId, cond.join(" "), params);
  if (!ids.length) return [];
  const c = ch(deps);
  if (!c) {
    return deps.db.$client
      .query(`SELECT series_id AS s, bucket_start AS b, count, sum, min, max FROM ${table} WHERE series_id IN (${ids.join(",")}) ORDER BY s, b`)
      .all() as RollupRow[];
  }
  return c.query(
    `SELECT series_id AS s, bucket_start AS b, sumMerge(count) AS count, sumMerge(sum) AS sum, minMerge(min) AS min, maxMerge(max) AS max FROM ${table}
     WHERE product_id = {p:String} AND series_id IN {ids:Array(UInt64)} GROUP BY s, b ORDER BY s, b`,
    { p: productId, ids },
  ) as RollupRow[];
}

/** A stored event with the columns of SQLite's `events` table (on ClickHouse: migration 0002). */
export type StoredEventRow = {
  seq: number;
  product_id: string;
  id: string | null;
  ts_ms: number;
  name: string;
  namespace: string | null;
  user_id: string | null;
  session_id: string | null;
  visitor_id: string | null;
  properties: string | null;
  context: string | null;
};

/** A product's stored events, in arrival order (seq). */
export function storedEvents(deps: Deps, productId: string): StoredEventRow[] {
  const cols = "seq, product_id, id, ts_ms, name, namespace, user_id, session_id, visitor_id, properties, context";
  const c = ch(deps);
  if (!c) return deps.db.$client.query(`SELECT ${cols} FROM events WHERE product_id = ? ORDER BY seq`).all(productId) as StoredEventRow[];
  return c.query(`SELECT ${cols} FROM events WHERE product_id = {p:String} ORDER BY seq`, { p: productId }) as StoredEventRow[];
}

/**
 * Stores an event the way no ingestion endpoint can yet (a visitor id from the web tracker),
 * beside the writer. On ClickHouse its seq is far past the writer's, which numbers from the
 * newest seq it saw at start.
 */
export function seedEvent(deps: Deps, e: { productId: string; tsMs: number; name: string; visitorId: string }) {
  const c = ch(deps);
  if (!c) return void deps.db.$client.query("INSERT INTO events (product_id, ts_ms, name, visitor_id) VALUES (?, ?, ?, ?)").run(e.productId, e.tsMs, e.name, e.visitorId);
  c.command("INSERT INTO events (product_id, seq, ts_ms, name, visitor_id) SELECT {p:String}, max(seq) + 1000000, {t:Int64}, {n:String}, {v:String} FROM events", { p: e.productId, t: e.tsMs, n: e.name, v: e.visitorId });
}
