CREATE TABLE `point_blocks` (
	`id` integer PRIMARY KEY NOT NULL,
	`series_id` integer NOT NULL,
	`block` integer NOT NULL,
	`n` integer NOT NULL,
	`t_min` integer NOT NULL,
	`t_max` integer NOT NULL,
	`data` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `point_blocks_series_block_idx` ON `point_blocks` (`series_id`,`block`);