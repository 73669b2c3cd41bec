CREATE TABLE `api_key_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`n` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `writer_probe` (
	`id` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `api_key_epoch` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `api_key_epoch_update` AFTER UPDATE OF `key_hash`, `revoked_at`, `scope`, `product_id` ON `api_keys`
BEGIN UPDATE `api_key_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `api_key_epoch_delete` AFTER DELETE ON `api_keys`
BEGIN UPDATE `api_key_epoch` SET `n` = `n` + 1 WHERE `id` = 1; END;
