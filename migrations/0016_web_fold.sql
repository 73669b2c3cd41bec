CREATE TABLE `web_fold_journal` (
	`id` integer PRIMARY KEY NOT NULL,
	`deltas` text NOT NULL
);
