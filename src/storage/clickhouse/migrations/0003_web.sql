-- Web analytics (the SQLite tables of src/db/schema/web-data.ts), designed for how ClickHouse
-- stores data rather than copied. Times are epoch milliseconds; visitor ids 53-bit integers.
--
-- Raw hits: appended, never updated. `seq` is numbered by the writer (one thread stores every
-- hit) so ties in time keep arrival order, as SQLite's rowid does. Sorted by product and time
-- (the realtime count, revenue hits, funnels, retention); the bloom filters serve reads by visit
-- (a range's visits' hits) and by visitor (attribution's identify lookups). No deduplication
-- window on these tables: tracker hits carry no Idempotency-Key, and two flushes may insert
-- byte-identical blocks (the same page viewed twice in the same millisecond by two visitors
-- would not be, but equal aggregate deltas are common) that must both count.
CREATE TABLE IF NOT EXISTS web_events (
  product_id LowCardinality(String),
  seq UInt64,
  session_id UInt64,
  visitor_id Int64,
  ts_ms Int64,
  name LowCardinality(String),
  hostname LowCardinality(String),
  pathname String,
  props Nullable(String),
  engaged_ms Nullable(Int64),
  scroll_depth Nullable(Int64),
  revenue_amount Nullable(Float64),
  revenue_currency Nullable(String),
  INDEX web_events_session_bf session_id TYPE bloom_filter GRANULARITY 4,
  INDEX web_events_visitor_bf visitor_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(ts_ms, 'UTC'))
ORDER BY (product_id, ts_ms);
--> statement-breakpoint
-- Visits: SQLite updates a visit in place as its hits arrive; here every flush that touches a
-- visit appends its whole new state, and the row with the highest `ver` (the writer's counter,
-- strictly increasing across flushes and restarts) is the visit. Readers use FINAL, so a visit
-- updated across flushes is read once, with its latest state, before and after merges. start_ms
-- never changes for a visit, so it can sit in the sorting key (reads by range) and the partition.
CREATE TABLE IF NOT EXISTS web_sessions (
  product_id LowCardinality(String),
  id UInt64,
  ver UInt64,
  visitor_id Int64,
  persisted_id Nullable(String),
  start_ms Int64,
  last_ms Int64,
  last_active_ms Int64,
  tail_engaged_ms Int64,
  engaged_ms Int64,
  pageviews Int64,
  events Int64,
  custom_events Int64,
  entry_page Nullable(String),
  exit_page Nullable(String),
  hostname Nullable(String),
  source Nullable(String),
  referrer Nullable(String),
  utm_source Nullable(String),
  utm_medium Nullable(String),
  utm_campaign Nullable(String),
  utm_content Nullable(String),
  utm_term Nullable(String),
  click_ids Nullable(String),
  country Nullable(String),
  region Nullable(String),
  device Nullable(String),
  browser Nullable(String),
  os Nullable(String),
  INDEX web_sessions_id_bf id TYPE bloom_filter GRANULARITY 4,
  INDEX web_sessions_persisted_bf persisted_id TYPE bloom_filter GRANULARITY 4,
  INDEX web_sessions_visitor_bf visitor_id TYPE bloom_filter GRANULARITY 4
) ENGINE = ReplacingMergeTree(ver)
PARTITION BY toYYYYMM(fromUnixTimestamp64Milli(start_ms, 'UTC'))
ORDER BY (product_id, start_ms, id);
--> statement-breakpoint
-- The hourly and daily pre-aggregates (src/web/query/agg.ts explains the counters). The writer
-- folds each flush's changes in memory and inserts them as deltas — negative ones too (a visit
-- that left an exit page takes its counts back) — and SummingMergeTree adds rows of the same key
-- as it merges; readers always sum() … GROUP BY, so unmerged parts count the same. Exact: no
-- sketch anywhere (visitors come from first_seen / last_seen / hour_seen, counted per visitor-day).
CREATE TABLE IF NOT EXISTS web_agg_hour (
  product_id LowCardinality(String),
  dim LowCardinality(String),
  bucket Int64,
  value String,
  first_seen Int64,
  last_seen Int64,
  visits Int64,
  bounces Int64,
  duration_ms Int64,
  visit_pageviews Int64,
  visit_events Int64,
  pageviews Int64,
  events Int64,
  hour_seen Int64
) ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(toDateTime(bucket * 3600, 'UTC'))
ORDER BY (product_id, dim, bucket, value);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS web_agg_day (
  product_id LowCardinality(String),
  dim LowCardinality(String),
  bucket Int64,
  value String,
  first_seen Int64,
  last_seen Int64,
  visits Int64,
  bounces Int64,
  duration_ms Int64,
  visit_pageviews Int64,
  visit_events Int64,
  pageviews Int64,
  events Int64,
  hour_seen Int64
) ENGINE = SummingMergeTree
PARTITION BY toYear(toDateTime(bucket * 86400, 'UTC'))
ORDER BY (product_id, dim, bucket, value);
