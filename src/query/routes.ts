import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { badRequest } from "../lib/errors";
import { queryAccess, readQueryObject } from "./request";
import { listMetrics, listTagKeys, listTagValues } from "./discovery";
import { exportCsv } from "./export-csv";
import { exportInput } from "./export-params";
import { runQuery } from "./run";
import { listDefinitions } from "../metrics/definitions";

/**
 * The query API (DESIGN.md "HTTP surface"): POST /api/v1/query, GET /api/v1/export.csv and the
 * pickers' discovery routes. A read key implies its product (naming another one is 404); a
 * signed-in member names the product (`product` in the body or the URL). THE access check decides.
 */
export function queryRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "read", { optional: true });

  const access = (c: Context<AppEnv>, named: unknown) => queryAccess(deps, c, named);

  app.post("/api/v1/query", auth, async (c) => {
    const body = await readQueryObject(c);
    const { product: named, ...query } = body;
    const { product } = access(c, named);
    return c.json(runQuery(deps.reader, product, query, deps.clock.now()));
  });

  app.get("/api/v1/export.csv", auth, (c) => {
    const { product: named, input } = exportInput(new URL(c.req.url).searchParams);
    const { product } = access(c, named);
    const { filename, stream } = exportCsv(deps.reader, product, input, deps.clock.now());
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${filename}"`,
      "Cache-Control": "no-store",
    });
  });

  app.get("/api/v1/metrics", auth, (c) => {
    const { product } = access(c, c.req.query("product"));
    // Metric names the data has, and the saved metric definitions (seed 002 §6.2 "List available metrics").
    return c.json({ metrics: listMetrics(deps.reader, product.id, prefixParam(c)), definitions: listDefinitions(deps.db, product.id) });
  });

  app.get("/api/v1/metrics/:metric/tags", auth, (c) => {
    const { product } = access(c, c.req.query("product"));
    const metric = c.req.param("metric");
    return c.json({ metric, keys: listTagKeys(deps.reader, product.id, metric) });
  });

  app.get("/api/v1/metrics/:metric/tags/:key/values", auth, (c) => {
    const { product } = access(c, c.req.query("product"));
    const metric = c.req.param("metric");
    const key = c.req.param("key");
    return c.json({ metric, key, values: listTagValues(deps.reader, product.id, metric, key, prefixParam(c)) });
  });

  return app;
}

function prefixParam(c: Context<AppEnv>): string {
  const prefix = c.req.query("prefix") ?? "";
  if (prefix.length > 200) throw badRequest("invalid_query", "prefix is at most 200 characters", "prefix");
  return prefix;
}
