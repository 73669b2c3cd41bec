import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { apiProduct, identifyKey, rowProduct } from "../products/api-access";
import { readJsonBody } from "../http/json-body";
import { createGoal, deleteGoal, getGoal, listGoals, productOfGoal, updateGoal } from "./goals";

/**
 * `/api/v1/goals` (DESIGN.md "Keys, scopes and provisioning"): read keys list, manage keys change.
 * Routes naming a goal take its product from the goal (a member needs no `product`), and
 * another tenant's goal is a 404 before any scope is judged.
 */
export function goalRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });
  const manage = apiKeyAuth(deps, "manage", { optional: true });
  const identify = identifyKey(deps);

  app.get("/api/v1/goals", read, (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "read");
    return c.json({ goals: listGoals(deps.db, product.id) });
  });
  const goalProduct = (c: Context<AppEnv>, scope: "read" | "manage") => rowProduct(deps, c, productOfGoal(deps.db, c.req.param("goalId")!), scope);
  app.get("/api/v1/goals/:goalId", identify, (c) => c.json(getGoal(deps.db, goalProduct(c, "read").id, c.req.param("goalId"))));
  app.post("/api/v1/goals", manage, async (c) => {
    const product = apiProduct(deps, c, c.req.query("product"), "manage");
    return c.json(createGoal(deps.db, product.id, await readJsonBody(c), deps.clock.now()), 201);
  });
  app.patch("/api/v1/goals/:goalId", identify, async (c) => {
    const product = goalProduct(c, "manage");
    return c.json(updateGoal(deps.db, product.id, c.req.param("goalId"), await readJsonBody(c)));
  });
  app.delete("/api/v1/goals/:goalId", identify, (c) => {
    const product = goalProduct(c, "manage");
    deleteGoal(deps.db, product.id, c.req.param("goalId"));
    return c.body(null, 204);
  });
  return app;
}
