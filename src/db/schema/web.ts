import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { products } from "./products";

/**
 * Web analytics control plane (DESIGN.md "Keys, scopes and provisioning", "Web analytics"): a
 * product's tracking settings and its web domains. The data plane (page views, sessions, daily
 * aggregates) lives in its own tables, written only by the writer thread.
 *
 * One row per product, created with defaults on first read (`getWebSite`).
 * mode: 'privacy' (daily-salted visitor ids, the default) | 'attribution' (a random id the script
 *   keeps in localStorage for the attribution window, for revenue attribution).
 * excluded_paths: JSON array of path globs dropped as `excluded_path`.
 * ip_exclusions: JSON array of CIDRs the owner typed (e.g. the office); requests from them are
 *   dropped before anything is derived from the address. A listed range is configuration, not a
 *   visitor's address: no visitor IP is ever stored.
 */
export const webSites = sqliteTable("web_sites", {
  productId: text("product_id")
    .primaryKey()
    .references(() => products.id, { onDelete: "cascade" }),
  mode: text("mode").notNull().default("privacy"),
  attributionWindowDays: integer("attribution_window_days").notNull().default(30),
  attributionModel: text("attribution_model").notNull().default("last_touch"), // 'last_touch' | 'first_touch'
  currency: text("currency").notNull().default("USD"),
  excludedPaths: text("excluded_paths").notNull().default("[]"),
  ipExclusions: text("ip_exclusions").notNull().default("[]"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * A product's web domains, lower-case, without scheme, port or a leading `www.`. A domain belongs
 * to one product (Plausible's `d` names the site). `example.com` also matches `www.example.com`;
 * another sub-domain matches only if it is listed itself.
 */
export const webDomains = sqliteTable(
  "web_domains",
  {
    domain: text("domain").primaryKey(),
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("web_domains_product_idx").on(t.productId)],
);

/**
 * A counter moved by triggers (hand-written in the migration) on every change to web_sites,
 * web_domains and products.site_token, by any connection: hot-path caches of the tracking
 * endpoints compare it, like api_key_epoch for keys.
 */
export const webConfigEpoch = sqliteTable("web_config_epoch", {
  id: integer("id").primaryKey(),
  n: integer("n").notNull(),
});



