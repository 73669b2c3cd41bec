CREATE TABLE `alert_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`product_id` text NOT NULL,
	`position` integer NOT NULL,
	`type` text NOT NULL,
	`config` text NOT NULL,
	`secret_sealed` text,
	`digest_through` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`rule_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_channels_rule_idx` ON `alert_channels` (`rule_id`,`position`);--> statement-breakpoint
CREATE TABLE `alert_delivery_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`notification_id` text NOT NULL,
	`product_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`duration_ms` integer NOT NULL,
	FOREIGN KEY (`notification_id`) REFERENCES `alert_notifications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `alert_delivery_attempts_notification_idx` ON `alert_delivery_attempts` (`notification_id`,`attempt`);--> statement-breakpoint
CREATE TABLE `alert_episodes` (
	`id` text PRIMARY KEY NOT NULL,
	`rule_id` text NOT NULL,
	`product_id` text NOT NULL,
	`started_at` integer NOT NULL,
	`resolved_at` integer,
	`status` text NOT NULL,
	`start_value` real,
	`threshold` real,
	`last_value` real,
	`acknowledged_at` integer,
	`acknowledged_by` text,
	FOREIGN KEY (`rule_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`acknowledged_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_episodes_start_idx` ON `alert_episodes` (`rule_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `alert_episodes_product_idx` ON `alert_episodes` (`product_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `alert_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`episode_id` text NOT NULL,
	`channel_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`rule_id`) REFERENCES `alerts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`episode_id`) REFERENCES `alert_episodes`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`channel_id`) REFERENCES `alert_channels`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `alert_notifications_once_idx` ON `alert_notifications` (`episode_id`,`channel_id`,`kind`);--> statement-breakpoint
CREATE INDEX `alert_notifications_status_idx` ON `alert_notifications` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `alert_notifications_rule_idx` ON `alert_notifications` (`rule_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`name` text NOT NULL,
	`query` text NOT NULL,
	`window` text NOT NULL,
	`condition` text NOT NULL,
	`cooldown` text,
	`muted_at` integer,
	`snoozed_until` integer,
	`evaluated_through` integer NOT NULL,
	`last_error` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `alerts_product_idx` ON `alerts` (`product_id`);--> statement-breakpoint
CREATE TABLE `inbox_notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`user_id` text NOT NULL,
	`notification_id` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`url` text NOT NULL,
	`created_at` integer NOT NULL,
	`read_at` integer,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`notification_id`) REFERENCES `alert_notifications`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_notifications_once_idx` ON `inbox_notifications` (`notification_id`,`user_id`);--> statement-breakpoint
CREATE INDEX `inbox_notifications_user_idx` ON `inbox_notifications` (`user_id`,`read_at`,`created_at`);