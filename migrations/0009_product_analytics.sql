CREATE TABLE `event_day_rollups` (
	`product_id` text NOT NULL,
	`zone` text NOT NULL,
	`complete` integer NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `zone`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `event_name_counts` (
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`events` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `name`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `event_name_user_days` (
	`product_id` text NOT NULL,
	`zone` text NOT NULL,
	`name` text NOT NULL,
	`day` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`product_id`, `zone`, `name`, `day`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `event_schema_fields` (
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`field` text NOT NULL,
	`type` text NOT NULL,
	`seen` integer NOT NULL,
	`example` text NOT NULL,
	`last_seen_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `name`, `field`, `type`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `event_user_days` (
	`product_id` text NOT NULL,
	`zone` text NOT NULL,
	`day` integer NOT NULL,
	`user_id` text NOT NULL,
	PRIMARY KEY(`product_id`, `zone`, `day`, `user_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `metric_definitions` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`query` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `metric_definitions_name_idx` ON `metric_definitions` (`product_id`,`name`);--> statement-breakpoint
CREATE TABLE `namespace_schemas` (
	`product_id` text NOT NULL,
	`namespace` text NOT NULL,
	`schema` text NOT NULL,
	`enforced` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `namespace`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
