import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { INGEST_ROUTES, type IngestHandler } from "./handler";

/** The ingestion endpoints inside the Hono app (tests' app.request(), the route walker); Bun.serve
 * answers the same paths with the same handler before Hono runs (src/server.ts). */
export function ingestRoutes(handle: IngestHandler) {
  const app = new Hono<AppEnv>();
  for (const [path, kind] of Object.entries(INGEST_ROUTES)) app.post(path, (c) => handle(c.req.raw, kind, path));
  return app;
}
