import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { queryAccess, readQueryObject } from "../query/request";
import { activeUsers } from "./active-users";
import { retention } from "./retention";
import { sessions } from "./sessions";

/** `POST /api/v1/insights/{active-users,retention,sessions}`: a read key, or a member naming `product`. */
export function insightRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const auth = apiKeyAuth(deps, "read", { optional: true });
  const insights = { "active-users": activeUsers, retention, sessions } as const;
  for (const [path, run] of Object.entries(insights)) {
    app.post(`/api/v1/insights/${path}`, auth, async (c: Context<AppEnv>) => {
      const { product: named, ...input } = await readQueryObject(c);
      const { product } = queryAccess(deps, c, named);
      return c.json(run(deps.reader, product, input, deps.clock.now()));
    });
  }
  return app;
}
