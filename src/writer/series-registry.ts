import type { Database, Statement } from "bun:sqlite";
import { createHash } from "node:crypto";
import { ALL_TAGS, ALL_TAGS_HASH } from "../db/schema/data";
import { AppError } from "../lib/errors";

/** A tag set stored canonically: keys sorted, JSON. Two spellings of one set are one series. */
export function canonicalTags(tags: Record<string, string>): string {
  const keys = Object.keys(tags);
  if (keys.length === 0) return "{}";
  if (keys.length === 1) return JSON.stringify(tags);
  keys.sort();
  const sorted: Record<string, string> = {};
  for (const k of keys) sorted[k] = tags[k]!;
  return JSON.stringify(sorted);
}

/** sha256 hex of the canonical JSON (node:crypto is native; this runs once per new series). */
export const hashTags = (canonical: string) => createHash("sha256").update(canonical).digest("hex");

// Past this many cached ids the cache starts over rather than grow without bound.
const MAX_CACHED = 1_000_000;

/**
 * Series ids by (product, metric, canonical tags), cached in memory across flushes. Only the write
 * queue creates series, inside its flush transaction; the cache is cleared when a flush rolls back
 * (ids it learned may not exist) and per product when a product's data is purged.
 * Also THE cardinality guard: a product may hold at most `maxSeries` tagged series.
 */
export class SeriesRegistry {
  private readonly ids = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly select: Statement;
  private readonly insert: Statement;
  private readonly insertTag: Statement;
  private readonly count: Statement;

  constructor(sqlite: Database, private readonly maxSeries: number) {
    this.select = sqlite.prepare("SELECT id FROM series WHERE product_id = ? AND metric = ? AND tags_hash = ?");
    this.insert = sqlite.prepare("INSERT INTO series (product_id, metric, tags_hash, tags, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
    this.insertTag = sqlite.prepare("INSERT INTO series_tags (series_id, key, value) VALUES (?, ?, ?)");
    this.count = sqlite.prepare("SELECT count(*) AS n FROM series WHERE product_id = ? AND tags_hash != ?");
  }

  /** The id if the series exists (cache, then one indexed lookup). */
  find(productId: string, metric: string, canonical: string): number | undefined {
    const key = cacheKey(productId, metric, canonical);
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    const hash = canonical === ALL_TAGS ? ALL_TAGS_HASH : hashTags(canonical);
    const row = this.select.get(productId, metric, hash) as { id: number } | null;
    if (row) this.remember(key, row.id);
    return row?.id;
  }

  /**
   * Throws a 400 naming the metric when creating `newSeries` more series would pass the limit.
   * Call before creating any of them, so a refused request changes nothing.
   */
  checkCapacity(productId: string, newSeries: number, metric: string) {
    if (newSeries === 0) return;
    const have = this.tagged(productId);
    if (have + newSeries > this.maxSeries) {
      throw new AppError(
        400,
        "too_many_series",
        `Metric "${metric}": a new tag combination would exceed this product's limit of ${this.maxSeries} series (it has ${have}). Use fewer distinct tag values (no ids or timestamps in tags).`,
        { field: "tags" },
      );
    }
  }

  /** Creates a tagged series (caller checked capacity and that it does not exist). */
  create(productId: string, metric: string, canonical: string, tags: Record<string, string>, now: number): number {
    const { id } = this.insert.get(productId, metric, hashTags(canonical), canonical, now) as { id: number };
    for (const k in tags) this.insertTag.run(id, k, tags[k]!);
    this.counts.set(productId, this.tagged(productId) + 1);
    this.remember(cacheKey(productId, metric, canonical), id);
    return id;
  }

  /** The metric's reserved all-tags rollup series, created on first use (not counted by the guard). */
  allTags(productId: string, metric: string, now: number): number {
    const found = this.find(productId, metric, ALL_TAGS);
    if (found !== undefined) return found;
    const { id } = this.insert.get(productId, metric, ALL_TAGS_HASH, ALL_TAGS, now) as { id: number };
    this.remember(cacheKey(productId, metric, ALL_TAGS), id);
    return id;
  }

  /** After a rollback: ids learned in the failed transaction may not exist. */
  clear() {
    this.ids.clear();
    this.counts.clear();
  }

  /** After a product's data was purged. */
  forgetProduct(productId: string) {
    const prefix = productId + "\u0000";
    for (const key of this.ids.keys()) if (key.startsWith(prefix)) this.ids.delete(key);
    this.counts.delete(productId);
  }

  private tagged(productId: string): number {
    let n = this.counts.get(productId);
    if (n === undefined) {
      n = (this.count.get(productId, ALL_TAGS_HASH) as { n: number }).n;
      this.counts.set(productId, n);
    }
    return n;
  }

  private remember(key: string, id: number) {
    if (this.ids.size >= MAX_CACHED) this.ids.clear();
    this.ids.set(key, id);
  }
}

const cacheKey = (productId: string, metric: string, canonical: string) => `${productId}\u0000${metric}\u0000${canonical}`;
