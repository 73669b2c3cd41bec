import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { apiProduct } from "../products/api-access";
import { readJsonBody } from "../http/json-body";
import { badRequest } from "../lib/errors";
import { runFunnel } from "./funnel";

/** `POST /api/v1/insights/funnel`: a read key (its product) or a member naming `product`. */
export function funnelRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });

  app.post("/api/v1/insights/funnel", read, async (c) => {
    const body = await readJsonBody(c);
    if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("invalid_funnel", "The funnel is a JSON object", "funnel");
    const { product: named, ...input } = body as Record<string, unknown>;
    const product = apiProduct(deps, c, named ?? c.req.query("product"), "read");
    return c.json(runFunnel(deps.reader, product, input, deps.clock.now()));
  });
  return app;
}
