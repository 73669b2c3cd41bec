-- Raw points move into point_blocks (src/storage/sqlite/point-blocks.ts): one row per series and
-- UTC hour, its points as JSON [[ms into the hour, value], …]. Every point is copied, then the
-- per-point table goes, and a `points` view (series_id, ts_ms, value) keeps SQL readers working.
INSERT INTO `point_blocks` (`series_id`, `block`, `n`, `t_min`, `t_max`, `data`)
SELECT `series_id`, `block`, count(*), min(`ts_ms`), max(`ts_ms`), json_group_array(json_array(`ts_ms` - `block` * 3600000, `value`))
FROM (
  SELECT `series_id`, `ts_ms`, `value`, (`ts_ms` - (((`ts_ms` % 3600000) + 3600000) % 3600000)) / 3600000 AS `block`
  FROM `points` ORDER BY `series_id`, `ts_ms`, `rowid`
)
GROUP BY `series_id`, `block`;--> statement-breakpoint
DROP TABLE `points`;--> statement-breakpoint
CREATE VIEW `points` AS
SELECT b.`series_id` AS `series_id`, b.`block` * 3600000 + (j.`value` ->> 0) AS `ts_ms`, CAST(j.`value` ->> 1 AS REAL) AS `value`
FROM `point_blocks` b, json_each(b.`data`) j;--> statement-breakpoint
-- A point written through the view (tests, tools) becomes a block of its own.
CREATE TRIGGER `points_insert` INSTEAD OF INSERT ON `points`
BEGIN
  INSERT INTO `point_blocks` (`series_id`, `block`, `n`, `t_min`, `t_max`, `data`)
  VALUES (NEW.`series_id`, (NEW.`ts_ms` - (((NEW.`ts_ms` % 3600000) + 3600000) % 3600000)) / 3600000, 1, NEW.`ts_ms`, NEW.`ts_ms`,
    json_array(json_array(NEW.`ts_ms` % 3600000 + CASE WHEN NEW.`ts_ms` % 3600000 < 0 THEN 3600000 ELSE 0 END, NEW.`value`)));
END;
