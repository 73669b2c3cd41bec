import type { Context } from "hono";
import type { AppEnv } from "./context";
import { readIngestBody } from "../ingest/body";
import { AppError, badRequest } from "../lib/errors";

const MAX_JSON_BYTES = 64 * 1024;

/**
 * A JSON API body (definitions, queries): capped, strict UTF-8, parsed. Cookie-authenticated
 * calls must declare application/json, which a cross-site form cannot send without CORS.
 */
export async function readJsonBody(c: Context<AppEnv>, maxBytes = MAX_JSON_BYTES): Promise<unknown> {
  if (!c.get("apiKey") && !/^application\/json\b/i.test(c.req.header("Content-Type") ?? "")) {
    throw new AppError(415, "unsupported_media_type", "Send the body as Content-Type: application/json");
  }
  const { text } = await readIngestBody(c.req.raw, (message) => badRequest("invalid_json", message), { maxBytes });
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("invalid_json", "The body is not valid JSON");
  }
}
