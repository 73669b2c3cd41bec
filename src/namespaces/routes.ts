import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { queryAccess, readQueryObject } from "../query/request";
import { listNamespaces, setNamespaceSchema } from "./schemas";

/**
 * `GET /api/v1/namespaces` (read): the product's namespaces with their schemas;
 * `PUT /api/v1/namespaces/:namespace/schema` (manage key or member): declare or change one.
 * Retention per namespace is set where the product's is (src/ops/retention.ts).
 */
export function namespaceRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  app.get("/api/v1/namespaces", apiKeyAuth(deps, "read", { optional: true }), (c) => {
    const { product } = queryAccess(deps, c, c.req.query("product"));
    return c.json({ namespaces: listNamespaces(deps.reader, product.id) });
  });
  app.put("/api/v1/namespaces/:namespace/schema", apiKeyAuth(deps, "manage", { optional: true }), async (c) => {
    const { product: named, ...schema } = await readQueryObject(c);
    const { product } = queryAccess(deps, c, named ?? c.req.query("product"));
    return c.json(setNamespaceSchema(deps.db, product.id, c.req.param("namespace"), schema, deps.clock.now()));
  });
  return app;
}
