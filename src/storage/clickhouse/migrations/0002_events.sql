-- Product events (the SQLite `events` table, src/db/schema/data.ts). `seq` is given by the
-- writer (one thread stores every event, so it is the arrival order the API pages by, as
-- SQLite's rowid is); times are epoch milliseconds as everywhere else. Sorted for the reads the
-- product makes most: one product, event names, a time range (metrics/query, insights); the
-- bloom filters serve the lookups that are not by name and time (duplicate ids at ingest, a
-- person's events, funnels per user). Nullable columns keep SQLite's NULL apart from "".
-- The deduplication window lets a retried insert with the same insert_deduplication_token
-- (an Idempotency-Key) be dropped, as for points.
CREATE TABLE IF NOT EXISTS events (
  product_id LowCardinality(String),
  seq UInt64,
  id Nullable(String),
  ts_ms Int64,
  name String,
  namespace Nullable(String),
  user_id Nullable(String),
  session_id Nullable(String),
  visitor_id Nullable(String),
  properties Nullable(String),
  context Nullable(String),
  INDEX events_id_bf id TYPE bloom_filter GRANULARITY 4,
  INDEX events_user_bf user_id TYPE bloom_filter GRANULARITY 4,
  INDEX events_visitor_bf visitor_id TYPE bloom_filter GRANULARITY 4,
  INDEX events_seq_mm seq TYPE minmax GRANULARITY 1
) ENGINE = MergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts_ms, 'UTC'))
ORDER BY (product_id, name, ts_ms)
SETTINGS non_replicated_deduplication_window = 10000;
--> statement-breakpoint
-- The newest seq stored: the writer adds a state after each insert of events is acknowledged
-- (not a materialized view, whose block may be seen before the table's), and merges keep one
-- row. A page snapshot (`asOf`) reads it instead of every seq; deletes leave it, as seq is never
-- reused.
CREATE TABLE IF NOT EXISTS events_newest (
  seq AggregateFunction(max, UInt64)
) ENGINE = AggregatingMergeTree
ORDER BY tuple();
