import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { apiProduct } from "../products/api-access";
import { readJsonBody } from "../http/json-body";
import { createGoal, deleteGoal, getGoal, listGoals, updateGoal } from "./goals";

/** `/api/v1/goals` (DESIGN.md "Keys, scopes and provisioning"): read keys list, manage keys change. */
export function goalRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });
  const manage = apiKeyAuth(deps, "manage", { optional: true });

  app.get("/api/v1/goals", read, (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "read");
    return c.json({ goals: listGoals(deps.db, product.id) });
  });
  app.get("/api/v1/goals/:goalId", read, (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "read");
    return c.json(getGoal(deps.db, product.id, c.req.param("goalId")));
  });
  app.post("/api/v1/goals", manage, async (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    return c.json(createGoal(deps.db, product.id, await readJsonBody(c), deps.clock.now()), 201);
  });
  app.patch("/api/v1/goals/:goalId", manage, async (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    return c.json(updateGoal(deps.db, product.id, c.req.param("goalId"), await readJsonBody(c)));
  });
  app.delete("/api/v1/goals/:goalId", manage, (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    deleteGoal(deps.db, product.id, c.req.param("goalId"));
    return c.body(null, 204);
  });
  return app;
}
