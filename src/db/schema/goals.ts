import { sqliteTable, text, integer, uniqueIndex, index } from "drizzle-orm/sqlite-core";
import { products } from "./products";

/**
 * Goals and saved funnels (DESIGN.md "Goals and funnels"): definitions, control plane. A goal is
 * a page-view path pattern (`page`) or an event name with optional property filters (`event`,
 * `properties` JSON); a revenue goal is an event goal with a `currency`.
 */
export const goals = sqliteTable(
  "goals",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    page: text("page"),
    event: text("event"),
    properties: text("properties"), // JSON object of property → value, or null
    currency: text("currency"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("goals_product_name_idx").on(t.productId, t.name)],
);

/** A saved funnel: its request body (steps, by, window, breakdown) without the range. */
export const funnels = sqliteTable(
  "funnels",
  {
    id: text("id").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    definition: text("definition").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("funnels_product_idx").on(t.productId)],
);
