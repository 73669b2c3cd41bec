import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { badRequest } from "../lib/errors";
import { apiProduct } from "../products/api-access";
import { ltvReport, mrrReport } from "./report";

/**
 * `GET /api/v1/revenue/mrr?months=12`: MRR at the end of each month and its movements, per
 * currency (never summed across currencies), months in the product's zone.
 * `GET /api/v1/revenue/ltv?by=cohort|source[&currency=EUR]`: lifetime value per first-purchase
 * cohort or source, in the product's currency or the one named.
 * A read key (its product) or a member naming `product`.
 */
export function revenueRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const read = apiKeyAuth(deps, "read", { optional: true });
  const productOf = (c: Context<AppEnv>) => apiProduct(deps, c, c.req.query("product"), "read");

  app.get("/api/v1/revenue/mrr", read, (c) => {
    const product = productOf(c);
    const months = Number(c.req.query("months") ?? 12);
    if (!Number.isInteger(months) || months < 1 || months > 36) throw badRequest("invalid_input", "months is a whole number from 1 to 36", "months");
    return c.json(mrrReport(deps.reader, product, months, deps.clock.now()));
  });
  app.get("/api/v1/revenue/ltv", read, (c) => {
    const product = productOf(c);
    const by = c.req.query("by") ?? "cohort";
    if (by !== "cohort" && by !== "source") throw badRequest("invalid_input", 'by is "cohort" or "source"', "by");
    const currency = c.req.query("currency");
    if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) throw badRequest("invalid_input", "currency is an ISO 4217 code like USD", "currency");
    return c.json(ltvReport(deps.reader.$client, product, by, deps.clock.now(), currency));
  });
  return app;
}
