import { randomUUID } from "node:crypto";
import type { Database } from "bun:sqlite";
import type { PointsSink } from "../plane";
import { recordRetentionCut } from "../../writer/retention";
import { tsvText, type ClickHouseTransport } from "./transport";

const COLUMNS = ["product_id", "series_id", "all_tags_id", "ts_ms", "value"];

/**
 * Raw points into ClickHouse; the rollups follow by the materialized views of migration 0001.
 * Called inside the writer's SQLite flush transaction, before COMMIT (src/writer/flush.ts): a
 * synchronous insert that ClickHouse acknowledged is stored; if it throws, the flush rolls back
 * and the requests are answered with the error. An idempotent request's rows go in their own
 * INSERT with `insert_deduplication_token`, so a retry after a COMMIT that failed (ClickHouse
 * has the rows, SQLite lost the idempotency record) is dropped by ClickHouse instead of doubled;
 * deduplicate_blocks_in_dependent_materialized_views keeps the rollups from doubling too.
 */
export function createClickHousePointsSink(ch: ClickHouseTransport, sqlite: Database): PointsSink {
  const countOf = (table: string, extra = "", params: Record<string, string | number> = {}) =>
    Number(ch.query(`SELECT count() AS n FROM ${table} WHERE product_id = {p:String}${extra}`, params)[0]?.n ?? 0);
  return {
    tokens: true,
    write(chunks) {
      let total = 0;
      for (const chunk of chunks) {
        let body = "";
        let n = 0;
        for (const g of chunk.groups) {
          const head = `${tsvText(g.p)}\t${g.s}\t${g.a}\t`;
          // String(number) is the shortest text that parses back to the same double.
          for (let i = 0; i < g.t.length; i++) body += head + g.t[i] + "\t" + g.v[i] + "\n";
          n += g.t.length;
        }
        if (!n) continue;
        // Without a key nothing may be dropped, but the deduplication window would also drop a
        // block equal to a recent one (two requests with the same point both count): a fresh
        // token per insert. (insert_deduplicate=0 no longer overrides it on ClickHouse 26.)
        const token = chunk.token ?? `once:${randomUUID()}`;
        try {
          ch.insertTsv("points", COLUMNS, body, { insert_deduplication_token: token, deduplicate_blocks_in_dependent_materialized_views: 1 });
        } catch (err) {
          // Answered 503 storage_unavailable for the whole flush (src/writer/flush.ts), not retried batch by batch.
          throw Object.assign(new Error(String((err as Error).message ?? err).split("\n")[0]!.slice(0, 300)), { code: "CLICKHOUSE_WRITE", cause: err });
        }
        total += n;
      }
      return total;
    },
    purgeProduct(productId) {
      // Lightweight DELETEs (rows masked at once, removed by merges). Partitions are months of
      // every product, so dropping one is for a whole-instance horizon, not a product.
      let n = 0;
      for (const table of ["points", "rollup_1m", "rollup_1h", "rollup_1d"]) {
        const rows = countOf(table, "", { p: productId });
        if (rows) ch.command(`DELETE FROM ${table} WHERE product_id = {p:String}`, { p: productId });
        n += rows;
      }
      return n;
    },
    deleteOldPoints(productId, before) {
      // The cut goes into SQLite first: from then on the engine warns that raw points before it
      // may be missing. One DELETE takes them all (ClickHouse has no per-row LIMIT to batch by).
      recordRetentionCut(sqlite, productId, before);
      const params = { p: productId, before };
      const n = countOf("points", " AND ts_ms < {before:Int64}", params);
      if (n) ch.command("DELETE FROM points WHERE product_id = {p:String} AND ts_ms < {before:Int64}", params);
      return n;
    },
    close: () => ch.close(),
  };
}
