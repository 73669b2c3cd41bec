-- Minute rollup rows now exist only before a product's retention cut; from the cut on, raw points
-- answer minute buckets (src/storage/sqlite/minute-cut.ts). Cuts move to a whole minute (they were
-- day horizons already; this is for safety), raw points before a cut go (their minutes are in
-- rollup_1m, which was written for every point until now), and minute rows from the cut on go.
UPDATE `retention_cuts` SET `points_before` = ((`points_before` + 59999) / 60000) * 60000 WHERE `points_before` % 60000 != 0;--> statement-breakpoint
DELETE FROM `points` WHERE `rowid` IN (
  SELECT p.`rowid` FROM `points` p
  JOIN `series` s ON s.`id` = p.`series_id`
  JOIN `retention_cuts` c ON c.`product_id` = s.`product_id`
  WHERE p.`ts_ms` < c.`points_before`
);--> statement-breakpoint
DELETE FROM `rollup_1m` WHERE `bucket_start` >= coalesce(
  (SELECT c.`points_before` FROM `series` s JOIN `retention_cuts` c ON c.`product_id` = s.`product_id` WHERE s.`id` = `rollup_1m`.`series_id`),
  -9223372036854775808
);
