import type { Database } from "bun:sqlite";
import type { Fragment } from "./sql";

export type PointRow = { s: number; t: number; v: number };

/**
 * The tag keys of a set of series, most carried first (ties by name), at most `limit`, and
 * whether there are more. Counted by SQLite on series_tags, so a metric with 100,000 distinct
 * keys costs no JavaScript object per key.
 */
export function tagKeysByUse(conn: Database, ids: Fragment, limit: number): { keys: string[]; more: boolean } {
  const rows = conn
    .query(`SELECT key FROM series_tags WHERE series_id IN (${ids.sql}) GROUP BY key ORDER BY count(*) DESC, key LIMIT ?`)
    .all(...ids.params, limit + 1) as { key: string }[];
  return { keys: rows.slice(0, limit).map((r) => r.key), more: rows.length > limit };
}

/**
 * Batches of rows in order: `next()` gives the next non-empty batch, null at the end. Batches
 * rather than a generator of rows: a million generator resumptions cost more than the sort.
 */
export type PointBatches = { next(): PointRow[] | null; close(): void };
