import { Hono } from "hono";
import type { Deps } from "../../deps";
import type { AppEnv } from "../../http/context";
import { apiKeyAuth } from "../../auth/api-key-auth";
import { readIngestBody } from "../../ingest/body";
import { badRequest, notFound } from "../../lib/errors";
import { domainCandidates } from "../sites";
import { runWebQuery } from "./run";

/**
 * Plausible's Stats API v2 (DESIGN.md "Web analytics"): `POST /api/v2/query` with a read key as
 * Bearer; `site_id` is one of the key's product's domains (another one is 404, as anything of
 * another tenant). The answer is runWebQuery's, the one the web dashboard reads.
 */
const MAX_QUERY_BYTES = 64 * 1024;

export function webQueryRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.post("/api/v2/query", apiKeyAuth(deps, "read"), async (c) => {
    const { text } = await readIngestBody(c.req.raw, (message) => badRequest("invalid_json", message), { maxBytes: MAX_QUERY_BYTES });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest("invalid_json", "The body is not valid JSON");
    }
    const productId = c.get("apiKey")!.productId;
    const siteId = (body as { site_id?: unknown } | null)?.site_id;
    if (typeof siteId !== "string" || siteId.trim() === "") throw badRequest("invalid_query", '"site_id" (the site\'s domain) is required', "site_id");
    const owns = deps.reader.$client.prepare("SELECT 1 FROM web_domains WHERE domain = ? AND product_id = ?");
    if (!domainCandidates(siteId).some((d) => owns.get(d, productId))) throw notFound(`${siteId} is not a site of this key's product`);
    await deps.queue.foldWeb(); // hits answered 202 before this request are counted
    return c.json(runWebQuery(deps, productId, body));
  });
  return app;
}
