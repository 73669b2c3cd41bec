import type { Server } from "bun";
import { Hono } from "hono";
import type { AppEnv } from "../../http/context";
import type { Deps } from "../../deps";
import { TRACK_ROUTES, trackHandlerFor } from "./handler";

/** The tracking endpoints inside the Hono app (app.request(), the route walker); Bun.serve answers
 * the same paths with the same handler before Hono runs (src/server.ts), CORS preflights
 * (OPTIONS) included — those name no product, so the tenant walker has nothing to check there. */
export function trackRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const handle = trackHandlerFor(deps);
  for (const [path, endpoint] of Object.entries(TRACK_ROUTES)) {
    app.post(path, (c) => handle(c.req.raw, (c.env as { server?: Server<unknown> } | undefined)?.server?.requestIP(c.req.raw) ?? null, endpoint));
  }
  return app;
}
