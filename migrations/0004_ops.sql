CREATE TABLE `erasure_log` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`rows` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `erasure_log_product_idx` ON `erasure_log` (`product_id`,`at`);--> statement-breakpoint
CREATE TABLE `retention_cuts` (
	`product_id` text PRIMARY KEY NOT NULL,
	`points_before` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `retention_rules` (
	`product_id` text NOT NULL,
	`namespace` text NOT NULL,
	`days` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `namespace`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_alerts` (
	`product_id` text NOT NULL,
	`month` text NOT NULL,
	`threshold` integer NOT NULL,
	`sent_at` integer NOT NULL,
	PRIMARY KEY(`product_id`, `month`, `threshold`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_limits` (
	`product_id` text PRIMARY KEY NOT NULL,
	`monthly_limit` integer NOT NULL,
	`mode` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `usage_monthly` (
	`product_id` text NOT NULL,
	`month` text NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`events` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`product_id`, `month`)
);
