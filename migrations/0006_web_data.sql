CREATE TABLE `web_agg_day` (
	`product_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`dim` text NOT NULL,
	`value` text NOT NULL,
	`first_seen` integer DEFAULT 0 NOT NULL,
	`last_seen` integer DEFAULT 0 NOT NULL,
	`hour_seen` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`bounces` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`visit_pageviews` integer DEFAULT 0 NOT NULL,
	`visit_events` integer DEFAULT 0 NOT NULL,
	`pageviews` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`product_id`, `dim`, `bucket`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `web_agg_hour` (
	`product_id` text NOT NULL,
	`bucket` integer NOT NULL,
	`dim` text NOT NULL,
	`value` text NOT NULL,
	`first_seen` integer DEFAULT 0 NOT NULL,
	`last_seen` integer DEFAULT 0 NOT NULL,
	`hour_seen` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`bounces` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`visit_pageviews` integer DEFAULT 0 NOT NULL,
	`visit_events` integer DEFAULT 0 NOT NULL,
	`pageviews` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`product_id`, `dim`, `bucket`, `value`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `web_drops` (
	`product_id` text NOT NULL,
	`reason` text NOT NULL,
	`n` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `reason`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `web_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`product_id` text NOT NULL,
	`session_id` integer NOT NULL,
	`visitor_id` integer NOT NULL,
	`ts_ms` integer NOT NULL,
	`name` text NOT NULL,
	`hostname` text NOT NULL,
	`pathname` text NOT NULL,
	`props` text,
	`engaged_ms` integer,
	`scroll_depth` integer,
	`revenue_amount` real,
	`revenue_currency` text
);
--> statement-breakpoint
CREATE INDEX `web_events_product_ts_idx` ON `web_events` (`product_id`,`ts_ms`);--> statement-breakpoint
CREATE INDEX `web_events_session_idx` ON `web_events` (`session_id`);--> statement-breakpoint
CREATE TABLE `web_salts` (
	`day` integer PRIMARY KEY NOT NULL,
	`salt` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `web_sessions` (
	`id` integer PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`visitor_id` integer NOT NULL,
	`persisted_id` text,
	`start_ms` integer NOT NULL,
	`last_ms` integer NOT NULL,
	`last_active_ms` integer NOT NULL,
	`tail_engaged_ms` integer DEFAULT 0 NOT NULL,
	`engaged_ms` integer DEFAULT 0 NOT NULL,
	`pageviews` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	`custom_events` integer DEFAULT 0 NOT NULL,
	`entry_page` text,
	`exit_page` text,
	`hostname` text,
	`source` text,
	`referrer` text,
	`utm_source` text,
	`utm_medium` text,
	`utm_campaign` text,
	`utm_content` text,
	`utm_term` text,
	`click_ids` text,
	`country` text,
	`region` text,
	`device` text,
	`browser` text,
	`os` text
);
--> statement-breakpoint
CREATE INDEX `web_sessions_product_start_idx` ON `web_sessions` (`product_id`,`start_ms`);--> statement-breakpoint
CREATE INDEX `web_sessions_product_last_idx` ON `web_sessions` (`product_id`,`last_ms`);--> statement-breakpoint
CREATE INDEX `web_sessions_product_persisted_idx` ON `web_sessions` (`product_id`,`persisted_id`);--> statement-breakpoint
ALTER TABLE `usage_monthly` ADD `pageviews` integer DEFAULT 0 NOT NULL;