import type { Database } from "bun:sqlite";
import type { DataPlane, PointsReader } from "../plane";
import { aggregateSql, countSql } from "../../query/sql";
import { runStatement } from "../../query/statement";
import type { AggRow } from "../../query/sql";
import { ALL_TAGS_HASH } from "../../db/schema/data";
import { pointsInTimeOrder } from "./points-in-order";
import { aggregateRaw, countRaw } from "./points-read";
import { sqliteEvents } from "./events-reader";
import { sqliteWeb } from "./web-reader";

/** The default data plane: raw points (in hour blocks) and rollups in the same SQLite file as everything else. */
function sqlitePoints(sqlite: Database): PointsReader {
  return {
    aggregate(read) {
      if (read.source === "points") return aggregateRaw(sqlite, read);
      const { sql, params } = aggregateSql(read.source, read.set, read.groupBy, read.aggregation);
      return runStatement(sqlite, sql, read.cacheable, (st) => st.all(...params, read.from, read.to)) as AggRow[];
    },
    count(read, limit) {
      if (read.source === "points") return countRaw(sqlite, read, limit);
      const { sql, params } = countSql(read.source, read.set);
      return (runStatement(sqlite, sql, false, (st) => st.get(...params, read.from, read.to, limit)) as { n: number }).n;
    },
    mostRecentMetric(productId) {
      // One index seek per metric on the hour rollup of its all-tags row.
      const row = sqlite
        .query(
          `SELECT s.metric AS metric, (SELECT max(r.bucket_start) FROM rollup_1h r WHERE r.series_id = s.id) AS last
           FROM series s WHERE s.product_id = ? AND s.tags_hash = ? ORDER BY last IS NULL, last DESC, s.created_at DESC, s.metric LIMIT 1`,
        )
        .get(productId, ALL_TAGS_HASH) as { metric: string } | null;
      return row?.metric ?? null;
    },
    timeOrdered: (_productId, ids, from, to) => pointsInTimeOrder(sqlite, ids, from, to),
  };
}

export const sqliteDataPlane: DataPlane = { engine: "sqlite", points: sqlitePoints, events: sqliteEvents, web: sqliteWeb };
