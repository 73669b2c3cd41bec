import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { readIngestBody } from "../ingest/body";
import { AppError, badRequest, unauthorized } from "../lib/errors";
import { resolveProductAccess } from "../products/access";
import { listMetrics, listTagKeys, listTagValues } from "./discovery";
import { exportCsv } from "./export-csv";
import { exportInput } from "./export-params";
import { runQuery } from "./run";

/**
 * The query API (DESIGN.md "HTTP surface"): POST /api/v1/query, GET /api/v1/export.csv and the
 * pickers' discovery routes. A read key implies its product (naming another one is 404); a
 * signed-in member names the product (`product` in the body or the URL). THE access check decides.
 */
const MAX_QUERY_BYTES = 64 * 1024;

export function queryRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "read", { optional: true });

  const access = (c: Context<AppEnv>, named: unknown) => {
    const apiKey = c.get("apiKey");
    const user = c.get("user");
    if (!apiKey && !user) throw unauthorized("Send a read key as Authorization: Bearer lk_…, or sign in");
    if (named !== undefined && typeof named !== "string") throw badRequest("invalid_query", "product is a product id", "product");
    if (!apiKey && !named) throw badRequest("invalid_query", "Name the product (product=<id>)", "product");
    return resolveProductAccess(deps.db, named || apiKey?.productId, { user, apiKey });
  };

  app.post("/api/v1/query", auth, async (c) => {
    // Cookie-authenticated: only application/json, which a cross-site form cannot send without CORS.
    if (!c.get("apiKey") && !/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
      throw new AppError(415, "unsupported_media_type", "Send the query as Content-Type: application/json");
    }
    const { text } = await readIngestBody(c.req.raw, (message) => badRequest("invalid_json", message), { maxBytes: MAX_QUERY_BYTES });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest("invalid_json", "The body is not valid JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("invalid_query", "The query is a JSON object", "query");
    const { product: named, ...query } = body as Record<string, unknown>;
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
    return c.json({ metrics: listMetrics(deps.reader, product.id, prefixParam(c)) });
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
