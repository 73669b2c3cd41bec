import { sqliteTable, text, integer, primaryKey } from "drizzle-orm/sqlite-core";
import { products } from "./products";

/**
 * X (Twitter) links (seed 001 FR-7, DESIGN.md "Revenue"): the `t.co` short link X put on a post,
 * labelled by the user with the post it belongs to, so the referrer breakdown reads "revenue per
 * tweet". Control plane; `link` is stored as the referrer shows it (`t.co/AbC123`).
 */
export const xLinks = sqliteTable(
  "x_links",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    link: text("link").notNull(),
    label: text("label").notNull(),
    /** The post on x.com, when the user gave it. */
    postUrl: text("post_url"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.link] })],
);
