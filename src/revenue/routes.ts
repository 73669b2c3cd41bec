import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { badRequest } from "../lib/errors";
import { apiProduct } from "../products/api-access";
import { bucketStarts, resolveRange } from "../lib/time/calendar";
import { localDateAt } from "../lib/time/dates";
import { mrrMovements, readSubscriptionChanges } from "./mrr";
import { toMajor } from "./currency";
import { ltvByCohort, ltvBySource } from "./ltv";

/**
 * `GET /api/v1/revenue/mrr?months=12`: MRR at the end of each month and its movements, per
 * currency (never summed across currencies), months in the product's zone.
 * `GET /api/v1/revenue/ltv?by=cohort|source`: lifetime value per first-purchase cohort or source.
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
    const now = deps.clock.now();
    const { from } = resolveRange(product.timezone, months - 1, "mo", now);
    const starts = bucketStarts(product.timezone, "month", from, now);
    const bounds = [...starts, now];
    const byCurrency = mrrMovements(readSubscriptionChanges(deps.reader, product.id, now), bounds);
    const currencies = Object.fromEntries(
      Object.entries(byCurrency).map(([currency, periods]) => [
        currency,
        periods.map((p) => ({
          month: localDateAt(p.start, product.timezone).slice(0, 7),
          mrr: toMajor(p.mrr, currency),
          new: toMajor(p.new, currency),
          expansion: toMajor(p.expansion, currency),
          contraction: toMajor(p.contraction, currency),
          churned: toMajor(p.churned, currency),
        })),
      ]),
    );
    return c.json({ currencies, note: "Amounts in major units of each currency; currencies are never converted or summed." });
  });
  app.get("/api/v1/revenue/ltv", read, (c) => {
    const product = productOf(c);
    const by = c.req.query("by") ?? "cohort";
    const now = deps.clock.now();
    if (by === "cohort") return c.json(ltvByCohort(deps.reader.$client, product.id, product.timezone, now));
    if (by === "source") return c.json(ltvBySource(deps.reader.$client, product.id, now));
    throw badRequest("invalid_input", 'by is "cohort" or "source"', "by");
  });
  return app;
}
