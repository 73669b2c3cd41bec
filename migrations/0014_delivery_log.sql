CREATE TABLE `delivery_attempts` (
	`id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`webhook_message_id` text,
	`alert_notification_id` text,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`ok` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`response` text,
	`duration_ms` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`webhook_message_id`) REFERENCES `webhook_messages`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`alert_notification_id`) REFERENCES `alert_notifications`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "delivery_attempts_one_outbox" CHECK(("webhook_message_id" IS NULL) <> ("alert_notification_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `delivery_attempts_webhook_idx` ON `delivery_attempts` (`webhook_message_id`,`attempt`);--> statement-breakpoint
CREATE INDEX `delivery_attempts_alert_idx` ON `delivery_attempts` (`alert_notification_id`,`attempt`);--> statement-breakpoint
-- Existing delivery logs move into the one log, every row kept (ids, times, answers); an
-- alert attempt had no response column.
INSERT INTO `delivery_attempts` (`id`, `product_id`, `webhook_message_id`, `attempt`, `at`, `ok`, `status_code`, `error`, `response`, `duration_ms`)
SELECT `id`, `product_id`, `message_id`, `attempt`, `at`, `ok`, `status_code`, `error`, `response`, `duration_ms` FROM `webhook_attempts`;--> statement-breakpoint
INSERT INTO `delivery_attempts` (`id`, `product_id`, `alert_notification_id`, `attempt`, `at`, `ok`, `status_code`, `error`, `response`, `duration_ms`)
SELECT `id`, `product_id`, `notification_id`, `attempt`, `at`, `ok`, `status_code`, `error`, NULL, `duration_ms` FROM `alert_delivery_attempts`;--> statement-breakpoint
DROP TABLE `alert_delivery_attempts`;--> statement-breakpoint
DROP TABLE `webhook_attempts`;