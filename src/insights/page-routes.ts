import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { requireUser } from "../auth/middleware";
import { canUseDashboards, productAccess, requirePermission } from "../products/access";
import { sendPage } from "../http/render";
import { badRequest } from "../lib/errors";
import { pageHeader } from "../products/page-header";
import { InsightsPage } from "../../views/pages/insights/insights-page";
import { activeUsers } from "./active-users";
import { retention } from "./retention";
import { sessions } from "./sessions";

/** `/products/:productId/insights?range=30d&event=…`: the insights of the API on one page, for members. */
const RANGES = new Set(["7d", "30d", "90d", "6mo"]);

export function insightPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  r.get("/products/:productId/insights", requireUser(), productAccess(deps), requirePermission(canUseDashboards, "Insights are for the product's members."), (c) => {
    const product = c.get("product");
    const range = c.req.query("range") ?? "30d";
    if (!RANGES.has(range)) throw badRequest("invalid_query", "range is 7d, 30d, 90d or 6mo", "range");
    const event = (c.req.query("event") ?? "").trim();
    const filter = { timeRange: range, ...(event ? { event } : {}) };
    const now = deps.clock.now();
    return sendPage(
      c,
      InsightsPage({
        header: pageHeader(deps, c, product),
        product,
        range,
        event,
        activeUsers: activeUsers(deps.reader, product, { filter }, now),
        retention: retention(deps.reader, product, { period: "week", filter: { timeRange: range }, ...(event ? { startEvent: event } : {}) }, now),
        sessions: sessions(deps.reader, product, { filter }, now),
      }),
    );
  });
  return r;
}
