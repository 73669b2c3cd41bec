import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";
import { products } from "./products";

/**
 * Operations (DESIGN.md "Operations"): retention, usage metering and limits, erasure audit.
 * Settings reference products ON DELETE CASCADE; the tables the writer fills (retention_cuts,
 * usage_monthly) have no foreign key, like the rest of the data plane, and go with the purge.
 */

/**
 * "Keep raw data N days". namespace '' is the product's own rule: raw points, and events of
 * every namespace without a rule of its own. No row: kept for ever.
 */
export const retentionRules = sqliteTable(
  "retention_rules",
  {
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    days: integer("days").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.namespace] })],
);

/**
 * Where a product's raw points end: every point before points_before (ms) may have been deleted
 * by retention. Written by the writer in the same transaction as its deletes and never moved
 * back, so the query engine can say when an answer needed raw rows that are gone.
 */
export const retentionCuts = sqliteTable("retention_cuts", {
  productId: text("product_id").primaryKey(),
  pointsBefore: integer("points_before").notNull(),
});

/** Points and events stored per product per UTC month ('2026-12'), counted by the flush that stored them. */
export const usageMonthly = sqliteTable(
  "usage_monthly",
  {
    productId: text("product_id").notNull(),
    month: text("month").notNull(),
    points: integer("points").notNull().default(0),
    events: integer("events").notNull().default(0),
    /** Page views stored by the web tracker (src/writer/web/). */
    pageviews: integer("pageviews").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.productId, t.month] })],
);

/** An optional monthly limit on points + events; mode 'pause' refuses ingestion past it (429), 'keep' goes on. */
export const usageLimits = sqliteTable("usage_limits", {
  productId: text("product_id").primaryKey().references(() => products.id, { onDelete: "cascade" }),
  monthlyLimit: integer("monthly_limit").notNull(),
  mode: text("mode").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** The watermark of the usage mails: one row per (product, month, threshold %) once its mail went. */
export const usageAlerts = sqliteTable(
  "usage_alerts",
  {
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    month: text("month").notNull(),
    threshold: integer("threshold").notNull(),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.month, t.threshold] })],
);

/** One line per erasure: when, who (actor kind 'key' or 'user' and its id), how many rows; never the person's id. */
export const erasureLog = sqliteTable(
  "erasure_log",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    actorKind: text("actor_kind").notNull(),
    actorId: text("actor_id").notNull(),
    rows: integer("rows").notNull(),
  },
  (t) => [index("erasure_log_product_idx").on(t.productId, t.at)],
);
