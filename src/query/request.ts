import type { Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { readIngestBody } from "../ingest/body";
import { AppError, badRequest } from "../lib/errors";
import { namedProductAccess } from "../products/api-access";

/**
 * What every query route shares: who may ask about which product, and reading a JSON query body.
 * A read key implies its product (naming another one is 404); a signed-in member names the
 * product (`product` in the body or the URL). THE access check decides.
 */
export const MAX_QUERY_BYTES = 64 * 1024;

export const queryAccess = (deps: Deps, c: Context<AppEnv>, named: unknown) => namedProductAccess(deps, c, named, { scope: "read", code: "invalid_query" });

/** The body as a JSON object. Cookie-authenticated: only application/json, which a cross-site form cannot send without CORS. */
export async function readQueryObject(c: Context<AppEnv>): Promise<Record<string, unknown>> {
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
  return body as Record<string, unknown>;
}
