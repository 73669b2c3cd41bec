CREATE TABLE `revenue_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`product_id` text NOT NULL,
	`provider` text NOT NULL,
	`provider_event_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount_minor` integer NOT NULL,
	`currency` text NOT NULL,
	`paid_at` integer NOT NULL,
	`customer_id` text,
	`email` text,
	`plan` text,
	`order_id` text,
	`subscription_id` text,
	`subscription_status` text,
	`mrr_minor` integer,
	`visitor_id` text,
	`received_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `revenue_events_dedupe_idx` ON `revenue_events` (`product_id`,`provider`,`provider_event_id`);--> statement-breakpoint
CREATE INDEX `revenue_events_product_paid_idx` ON `revenue_events` (`product_id`,`paid_at`);--> statement-breakpoint
CREATE INDEX `revenue_events_product_visitor_idx` ON `revenue_events` (`product_id`,`visitor_id`);--> statement-breakpoint
CREATE INDEX `revenue_events_product_customer_idx` ON `revenue_events` (`product_id`,`customer_id`);--> statement-breakpoint
CREATE INDEX `revenue_events_product_order_idx` ON `revenue_events` (`product_id`,`order_id`);--> statement-breakpoint
CREATE TABLE `revenue_integrations` (
	`product_id` text NOT NULL,
	`provider` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`secret_last4` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`last_received_at` integer,
	PRIMARY KEY(`product_id`, `provider`),
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
