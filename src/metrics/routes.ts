import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { badRequest } from "../lib/errors";
import { queryAccess, readQueryObject } from "../query/request";
import { runMetricQuery } from "../query/events/run";
import { createDefinition, deleteDefinition, getDefinition, updateDefinition, withSavedMetric } from "./definitions";

/**
 * Saved metric definitions over the API (seed 002 §6.2): `GET /api/v1/metrics/:name` runs one
 * (`start`, `end`, `groupBy`, `filter` as URL parameters, like seed 002 writes them) and shows its
 * definition; create, change and delete take a manage key or a signed-in member. The list is part
 * of `GET /api/v1/metrics` (src/query/routes.ts), next to the metric names the series have.
 */
export function metricDefinitionRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });
  const manage = apiKeyAuth(deps, "manage", { optional: true });
  const product = (c: Context<AppEnv>, named: unknown) => queryAccess(deps, c, named).product;

  app.get("/api/v1/metrics/:name", read, (c) => {
    const p = product(c, c.req.query("product"));
    const definition = getDefinition(deps.db, p.id, c.req.param("name"));
    const body = withSavedMetric(deps.db, p.id, { metric: definition.name, ...overridesFrom(new URL(c.req.url).searchParams) });
    return c.json({ ...runMetricQuery(deps.reader, p, body, deps.clock.now()), definition });
  });

  app.post("/api/v1/metrics", manage, async (c) => {
    const { product: named, ...input } = await readQueryObject(c);
    const p = product(c, named);
    const created = createDefinition(deps.db, p.id, input, { now: deps.clock.now(), userId: c.get("user")?.id ?? null, timezone: p.timezone });
    return c.json(created, 201);
  });

  const update = async (c: Context<AppEnv>) => {
    const { product: named, ...patch } = await readQueryObject(c);
    const p = product(c, named ?? c.req.query("product"));
    return c.json(updateDefinition(deps.db, p.id, c.req.param("name")!, patch, { now: deps.clock.now(), timezone: p.timezone }));
  };
  app.put("/api/v1/metrics/:name", manage, update);
  app.patch("/api/v1/metrics/:name", manage, update);

  app.delete("/api/v1/metrics/:name", manage, (c) => {
    const p = product(c, c.req.query("product"));
    deleteDefinition(deps.db, p.id, c.req.param("name"));
    return c.body(null, 204);
  });

  return app;
}

/** seed 002's GET parameters: start/end (RFC 3339), groupBy (comma-separated), filter (JSON of filter.properties), timezone. */
function overridesFrom(params: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const filter: Record<string, unknown> = {};
  const start = params.get("start");
  const end = params.get("end");
  if (start !== null || end !== null) {
    if (start === null || end === null) throw badRequest("invalid_query", "give both start and end", start === null ? "start" : "end");
    filter.timeRange = { start, end };
  }
  const raw = params.get("filter");
  if (raw !== null) {
    try {
      filter.properties = JSON.parse(raw);
    } catch {
      throw badRequest("invalid_query", 'filter is JSON like {"plan":"pro"}', "filter");
    }
  }
  if (Object.keys(filter).length) out.filter = filter;
  const groupBy = params.get("groupBy");
  if (groupBy !== null) out.groupBy = groupBy.split(",").map((s) => s.trim()).filter(Boolean);
  const tz = params.get("timezone");
  if (tz !== null) out.timezone = tz;
  return out;
}
