import type { Database } from "bun:sqlite";
import { revenueGoals } from "../query/revenue-goals";
import type { RevenueColumns } from "./cards";

/**
 * Whether the web dashboard shows revenue (a product that takes payments: a provider connected,
 * a payment received or a revenue goal defined), and the revenue goal its conversion rate
 * converts on: the first one in the product's currency, else the first one.
 */
export function revenueColumns(reader: Database, productId: string): RevenueColumns {
  const goals = revenueGoals(reader, productId);
  const currency = (reader.query("SELECT currency FROM web_sites WHERE product_id = ?").get(productId) as { currency: string } | null)?.currency ?? "USD";
  const goal = (goals.find((g) => g.currency === currency) ?? goals[0])?.event ?? null;
  const paid =
    goals.length > 0 ||
    reader.query("SELECT 1 FROM revenue_integrations WHERE product_id = ? LIMIT 1").get(productId) !== null ||
    reader.query("SELECT 1 FROM revenue_events WHERE product_id = ? LIMIT 1").get(productId) !== null;
  return { enabled: paid, goal };
}
