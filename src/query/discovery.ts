import type { Database } from "bun:sqlite";
import { ALL_TAGS_HASH } from "../db/schema/data";
import { pointsReaderFor } from "../storage";

/**
 * What pickers offer: a product's metrics, a metric's tag keys, a key's values. Prefix search
 * is a range on the index (`>= prefix AND < prefix + U+10FFFF`), case-sensitive, so `%` and `_`
 * in a prefix mean themselves.
 */
type Db = { $client: Database };

export const DISCOVERY_LIMIT = 1000;
// The largest code point: in SQLite's binary (UTF-8) order nothing that starts with the prefix sorts after prefix + it.
const TOP = "\u{10FFFF}";

/** Metric names (including `event:<name>` series), by name. Every metric has its all-tags row. */
export function listMetrics(db: Db, productId: string, prefix = "", limit = DISCOVERY_LIMIT): string[] {
  const rows = db.$client
    .query("SELECT metric FROM series WHERE product_id = ? AND tags_hash = ? AND metric >= ? AND metric < ? ORDER BY metric LIMIT ?")
    .all(productId, ALL_TAGS_HASH, prefix, prefix + TOP, limit) as { metric: string }[];
  return rows.map((r) => r.metric);
}

/**
 * The metric that received data most recently (by point time, to the hour), or null: what a new
 * widget most likely wants, rather than the alphabetically first. Rollups live in the data plane.
 */
export function mostRecentMetric(db: Db, productId: string): string | null {
  return pointsReaderFor(db.$client).mostRecentMetric(productId);
}

/** Tag keys used by any series of the metric, sorted. */
export function listTagKeys(db: Db, productId: string, metric: string, limit = DISCOVERY_LIMIT): string[] {
  const rows = db.$client
    .query("SELECT DISTINCT t.key AS key FROM series s JOIN series_tags t ON t.series_id = s.id WHERE s.product_id = ? AND s.metric = ? ORDER BY t.key LIMIT ?")
    .all(productId, metric, limit) as { key: string }[];
  return rows.map((r) => r.key);
}

/** Values of one tag key of the metric, sorted, optionally starting with `prefix`. */
export function listTagValues(db: Db, productId: string, metric: string, key: string, prefix = "", limit = DISCOVERY_LIMIT): string[] {
  const rows = db.$client
    .query(
      `SELECT DISTINCT t.value AS value FROM series s JOIN series_tags t ON t.series_id = s.id AND t.key = ?
       WHERE s.product_id = ? AND s.metric = ? AND t.value >= ? AND t.value < ? ORDER BY t.value LIMIT ?`,
    )
    .all(key, productId, metric, prefix, prefix + TOP, limit) as { value: string }[];
  return rows.map((r) => r.value);
}
