-- Raw points and their rollups. Times are epoch milliseconds (Int64) as in SQLite, so times
-- before 1970 and the engine's bucket arithmetic match the SQLite data plane exactly.
-- Sorted for the query engine's reads: one product, a set of series, a time range.
-- The deduplication window lets a retried insert with the same insert_deduplication_token
-- (an Idempotency-Key) be dropped by the non-replicated engine too.
CREATE TABLE IF NOT EXISTS points (
  product_id LowCardinality(String),
  series_id UInt64,
  all_tags_id UInt64,
  ts_ms Int64,
  value Float64
) ENGINE = MergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts_ms, 'UTC'))
ORDER BY (product_id, series_id, ts_ms)
SETTINGS non_replicated_deduplication_window = 10000;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS rollup_1m (
  product_id LowCardinality(String),
  series_id UInt64,
  bucket_start Int64,
  count AggregateFunction(sum, UInt64),
  sum AggregateFunction(sum, Float64),
  min AggregateFunction(min, Float64),
  max AggregateFunction(max, Float64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(bucket_start, 'UTC'))
ORDER BY (product_id, series_id, bucket_start)
SETTINGS non_replicated_deduplication_window = 10000;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS rollup_1h AS rollup_1m;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS rollup_1d AS rollup_1m;
--> statement-breakpoint
-- count is sumState(1) rather than countState(): the same number, but a state that can be made
-- from a count (initializeAggregation('sumState', n)), which copying SQLite's rollups needs.
-- Each point counts in its own series and in the metric's all-tags row (ARRAY JOIN: one read of
-- the block, two rows out). UTC-aligned buckets, floored also before 1970 (% truncates).
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_1m_mv TO rollup_1m AS
SELECT product_id, sid AS series_id, ts_ms - ((ts_ms % 60000) + 60000) % 60000 AS bucket_start,
  sumState(toUInt64(1)) AS count, sumState(value) AS sum, minState(value) AS min, maxState(value) AS max
FROM points ARRAY JOIN [series_id, all_tags_id] AS sid
GROUP BY product_id, series_id, bucket_start;
--> statement-breakpoint
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_1h_mv TO rollup_1h AS
SELECT product_id, sid AS series_id, ts_ms - ((ts_ms % 3600000) + 3600000) % 3600000 AS bucket_start,
  sumState(toUInt64(1)) AS count, sumState(value) AS sum, minState(value) AS min, maxState(value) AS max
FROM points ARRAY JOIN [series_id, all_tags_id] AS sid
GROUP BY product_id, series_id, bucket_start;
--> statement-breakpoint
CREATE MATERIALIZED VIEW IF NOT EXISTS rollup_1d_mv TO rollup_1d AS
SELECT product_id, sid AS series_id, ts_ms - ((ts_ms % 86400000) + 86400000) % 86400000 AS bucket_start,
  sumState(toUInt64(1)) AS count, sumState(value) AS sum, minState(value) AS min, maxState(value) AS max
FROM points ARRAY JOIN [series_id, all_tags_id] AS sid
GROUP BY product_id, series_id, bucket_start;
