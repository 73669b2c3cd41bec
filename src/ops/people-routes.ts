import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { forbidden } from "../lib/errors";
import { canManageProduct } from "../products/access";
import { namedProductAccess } from "../products/api-access";
import { erasePerson, exportPerson, type Actor } from "./erasure";

/**
 * Erasure API (DESIGN.md "Operations"): `DELETE /api/v1/people/:id` and
 * `GET /api/v1/people/:id/export`, with a `manage` key (which implies its product; naming another
 * is 404) or as a signed-in owner naming the product (`?product=`). THE access check decides.
 * The id is a person's, not a row of ours, so the path names it `:id` (not a product-scoped id).
 */
export function peopleRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "manage", { optional: true });

  const access = (c: Context<AppEnv>): { productId: string; actor: Actor } => {
    const { product, role } = namedProductAccess(deps, c, c.req.query("product"), { scope: "manage", code: "invalid_input" });
    if (role !== "key" && !canManageProduct(role)) throw forbidden("Only the product's owner can export or erase people's data.");
    const apiKey = c.get("apiKey");
    return { productId: product.id, actor: apiKey ? { kind: "key", id: apiKey.id } : { kind: "user", id: c.get("user")!.id } };
  };

  app.get("/api/v1/people/:id/export", auth, (c) => {
    const { productId } = access(c);
    const events = exportPerson(deps.db, productId, c.req.param("id"));
    c.header("Cache-Control", "no-store");
    return c.json({ person: c.req.param("id"), count: events.length, events });
  });

  app.delete("/api/v1/people/:id", auth, async (c) => {
    const { productId, actor } = access(c);
    const { deleted } = await erasePerson(deps, productId, c.req.param("id"), actor);
    deps.log.info("person erased", { productId, by: actor, rows: deleted });
    return c.json({ person: c.req.param("id"), deleted });
  });

  return app;
}
