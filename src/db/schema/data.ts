import { sqliteTable, text, integer, real, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";

/** tags_hash of a metric's reserved all-tags rollup series (a sha256 hex never equals it). */
export const ALL_TAGS_HASH = "*";
/** tags of that row: not a JSON object, so nothing mistakes it for the empty tag set. */
export const ALL_TAGS = "*";

/**
 * Data plane. No foreign key to products on purpose: a deleted product's rows are purged in
 * batches by a job (see productPurges), not by one cascading transaction.
 *
 * One row per (product, metric, canonical tag set). tagsHash is the hash of the canonical tags
 * JSON (keys sorted). The reserved all-tags row of a metric (the rollup of every series of the
 * metric, read by unfiltered charts) has tagsHash ALL_TAGS_HASH and tags "*".
 */
export const series = sqliteTable(
  "series",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    productId: text("product_id").notNull(),
    metric: text("metric").notNull(),
    tagsHash: text("tags_hash").notNull(),
    tags: text("tags").notNull(), // canonical JSON object, or "*" for the all-tags row
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("series_identity_idx").on(t.productId, t.metric, t.tagsHash)],
);

export const seriesTags = sqliteTable(
  "series_tags",
  {
    seriesId: integer("series_id").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.key] }), index("series_tags_kv_idx").on(t.key, t.value, t.seriesId)],
);

/**
 * Raw points, stored a series' hour at a time (src/storage/sqlite/point-blocks.ts): one row per
 * (series, hour block) holds up to about 128 points as JSON `[[ms into the hour, value], …]`, in
 * arrival order. A row per point was two B-tree inserts per point, half the writer's CPU. Two
 * points with the same series and time both count. SQL readers use the `points` view
 * (series_id, ts_ms, value) that the migration defines over this table.
 */
export const pointBlocks = sqliteTable(
  "point_blocks",
  {
    id: integer("id").primaryKey(),
    seriesId: integer("series_id").notNull(),
    /** floor(ts_ms / 3,600,000): the UTC hour every point of the row falls in. */
    block: integer("block").notNull(),
    n: integer("n").notNull(),
    tMin: integer("t_min").notNull(),
    tMax: integer("t_max").notNull(),
    data: text("data").notNull(),
  },
  (t) => [index("point_blocks_series_block_idx").on(t.seriesId, t.block)],
);

const rollupColumns = {
  seriesId: integer("series_id").notNull(),
  bucketStart: integer("bucket_start").notNull(), // ms, UTC-aligned minute/hour/day
  count: integer("count").notNull(),
  sum: real("sum").notNull(),
  min: real("min").notNull(),
  max: real("max").notNull(),
};

// WITHOUT ROWID is added by hand in the migration SQL (drizzle cannot declare it).
export const rollup1m = sqliteTable("rollup_1m", rollupColumns, (t) => [primaryKey({ columns: [t.seriesId, t.bucketStart] })]);
export const rollup1h = sqliteTable("rollup_1h", rollupColumns, (t) => [primaryKey({ columns: [t.seriesId, t.bucketStart] })]);
export const rollup1d = sqliteTable("rollup_1d", rollupColumns, (t) => [primaryKey({ columns: [t.seriesId, t.bucketStart] })]);

export const events = sqliteTable(
  "events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    productId: text("product_id").notNull(),
    id: text("id"), // the client's event id, unique per product when given
    tsMs: integer("ts_ms").notNull(),
    name: text("name").notNull(),
    namespace: text("namespace"),
    userId: text("user_id"),
    sessionId: text("session_id"),
    visitorId: text("visitor_id"),
    properties: text("properties"), // JSON
    context: text("context"), // JSON
  },
  (t) => [
    uniqueIndex("events_product_id_idx").on(t.productId, t.id),
    index("events_product_name_ts_idx").on(t.productId, t.name, t.tsMs),
    index("events_product_ts_idx").on(t.productId, t.tsMs),
    // Funnels per user read a product's events in (user, time) order from this index alone: no
    // sort, and the row itself only for steps with property filters (src/funnels/sources.ts).
    index("events_product_user_ts_idx").on(t.productId, t.userId, t.tsMs, t.name),
  ],
);

/** Idempotency-Key per product; written inside the flush transaction with the answer it got. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    productId: text("product_id").notNull(),
    key: text("key").notNull(),
    bodyHash: text("body_hash").notNull(),
    status: integer("status").notNull(),
    response: text("response").notNull(), // JSON body of the first answer
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.key] }), index("idempotency_created_idx").on(t.createdAt)],
);
