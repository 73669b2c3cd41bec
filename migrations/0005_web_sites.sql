CREATE TABLE `web_config_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `web_domains` (
	`domain` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `web_domains_product_idx` ON `web_domains` (`product_id`);--> statement-breakpoint
CREATE TABLE `web_sites` (
	`product_id` text PRIMARY KEY NOT NULL,
	`mode` text DEFAULT 'privacy' NOT NULL,
	`attribution_window_days` integer DEFAULT 30 NOT NULL,
	`attribution_model` text DEFAULT 'last_touch' NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`excluded_paths` text DEFAULT '[]' NOT NULL,
	`ip_exclusions` text DEFAULT '[]' NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`product_id`) REFERENCES `products`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `web_config_epoch` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_sites_insert` AFTER INSERT ON `web_sites`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_sites_update` AFTER UPDATE ON `web_sites`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_sites_delete` AFTER DELETE ON `web_sites`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_domains_insert` AFTER INSERT ON `web_domains`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_domains_update` AFTER UPDATE ON `web_domains`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_domains_delete` AFTER DELETE ON `web_domains`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_site_token` AFTER UPDATE OF `site_token` ON `products`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `web_config_epoch_product_delete` AFTER DELETE ON `products`
BEGIN UPDATE `web_config_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
