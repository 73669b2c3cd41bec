import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { apiProduct, identifyKey, rowProduct } from "../products/api-access";
import { readJsonBody } from "../http/json-body";
import { badRequest } from "../lib/errors";
import { runFunnel } from "./funnel";
import { createFunnel, deleteFunnel, getFunnel, listFunnels, productOfFunnel, updateFunnel } from "./saved";

/**
 * `POST /api/v1/insights/funnel` and saved funnels `/api/v1/funnels`: a read key (its product)
 * or a member naming `product`; saving takes a manage key or a member.
 */
export function funnelRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });
  const manage = apiKeyAuth(deps, "manage", { optional: true });
  const identify = identifyKey(deps);

  app.post("/api/v1/insights/funnel", read, async (c) => {
    const body = await readJsonBody(c);
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("invalid_funnel", "The funnel is a JSON object", "funnel");
    const { product: named, ...input } = body as Record<string, unknown>;
    const product = apiProduct(deps, c, named ?? c.req.query("product"), "read");
    return c.json(runFunnel(deps.reader, product, input, deps.clock.now()));
  });
  app.get("/api/v1/funnels", read, (c) => c.json({ funnels: listFunnels(deps.db, apiProduct(deps, c, c.req.query("product"), "read").id) }));
  const funnelProduct = (c: Context<AppEnv>, scope: "read" | "manage") => rowProduct(deps, c, productOfFunnel(deps.db, c.req.param("funnelId")!), scope);
  app.get("/api/v1/funnels/:funnelId", identify, (c) => c.json(getFunnel(deps.db, funnelProduct(c, "read").id, c.req.param("funnelId"))));
  app.post("/api/v1/funnels", manage, async (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    return c.json(createFunnel(deps.db, product.id, await readJsonBody(c), deps.clock.now()), 201);
  });
  app.patch("/api/v1/funnels/:funnelId", identify, async (c) => {
    const product = funnelProduct(c, "manage");
    return c.json(updateFunnel(deps.db, product.id, c.req.param("funnelId"), await readJsonBody(c), deps.clock.now()));
  });
  app.delete("/api/v1/funnels/:funnelId", identify, (c) => {
    deleteFunnel(deps.db, funnelProduct(c, "manage").id, c.req.param("funnelId"));
    return c.body(null, 204);
  });
  return app;
}
