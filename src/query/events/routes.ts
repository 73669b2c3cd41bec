import { Hono } from "hono";
import type { Deps } from "../../deps";
import type { AppEnv } from "../../http/context";
import { apiKeyAuth } from "../../auth/api-key-auth";
import { queryAccess, readQueryObject } from "../request";
import { runMetricQuery } from "./run";
import { queryEvents } from "./list";
import { withSavedMetric } from "../../metrics/definitions";

/**
 * The events side of the query API (seed 002 §6.2, §6.4): `POST /api/v1/metrics/query` and
 * `POST /api/v1/events/query`, with a read key (or manage) or as a signed-in member naming
 * `product`. Thin: read, check access, call the planner.
 */
export function eventQueryRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "read", { optional: true });

  app.post("/api/v1/metrics/query", auth, async (c) => {
    const { product: named, ...query } = await readQueryObject(c);
    const { product } = queryAccess(deps, c, named);
    return c.json(runMetricQuery(deps.reader, product, withSavedMetric(deps.db, product.id, query), deps.clock.now()));
  });

  app.post("/api/v1/events/query", auth, async (c) => {
    const { product: named, ...query } = await readQueryObject(c);
    const { product } = queryAccess(deps, c, named);
    return c.json(queryEvents(deps.reader, product, query, deps.clock.now()));
  });

  return app;
}
