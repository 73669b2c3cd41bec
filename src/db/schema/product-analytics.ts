import { sqliteTable, text, integer, uniqueIndex } from "drizzle-orm/sqlite-core";
import { products } from "./products";
import { users } from "./accounts";

/**
 * Product analytics control plane: saved metric definitions (seed 002 §4.4), a named
 * `metrics/query` that widgets, alerts and `GET /api/v1/metrics/:name` reuse.
 * query: JSON of the metrics/query input without `metric` (the name stands for it).
 */
export const metricDefinitions = sqliteTable(
  "metric_definitions",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    query: text("query").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("metric_definitions_name_idx").on(t.productId, t.name)],
);
