import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { products } from "./products";
import { users } from "./accounts";

export const dashboards = sqliteTable(
  "dashboards",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    range: text("range"), // dashboard-wide range override ("7d", "30d", "custom:<from>/<to>"), null = each widget's own
    position: integer("position").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("dashboards_product_idx").on(t.productId)],
);

/** kind: 'line' | 'number' | 'table'; config: JSON validated by the widget schema. */
export const widgets = sqliteTable(
  "widgets",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    dashboardId: text("dashboard_id").notNull().references(() => dashboards.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    config: text("config").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("widgets_dashboard_idx").on(t.dashboardId, t.position)],
);

/** frequency: 'daily' | 'weekly' | 'monthly'; timeOfDay 'HH:MM' in the product's time zone. */
export const reports = sqliteTable(
  "reports",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    dashboardId: text("dashboard_id").notNull().references(() => dashboards.id, { onDelete: "cascade" }),
    frequency: text("frequency").notNull(),
    weekday: integer("weekday"), // 1 = Monday … 7 = Sunday (weekly)
    monthDay: integer("month_day"), // 1–31 (monthly; past the month's end runs on its last day)
    timeOfDay: text("time_of_day").notNull(),
    pausedAt: integer("paused_at"),
    nextRunAt: integer("next_run_at"), // watermark: the next scheduled instant not yet handled
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("reports_product_idx").on(t.productId), index("reports_next_run_idx").on(t.nextRunAt)],
);

export const reportRecipients = sqliteTable(
  "report_recipients",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id").notNull().references(() => reports.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    pausedAt: integer("paused_at"), // set by the recipient's unsubscribe link
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("report_recipients_email_idx").on(t.reportId, t.email)],
);

/**
 * status: 'pending' (claimed, being sent) | 'sent' | 'failed' | 'skipped' | 'retrying'; one row per
 * scheduled instant (the partial unique index makes a second claim of the same run a no-op).
 */
export const reportDeliveries = sqliteTable(
  "report_deliveries",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id").notNull().references(() => reports.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    scheduledFor: integer("scheduled_for").notNull(), // the run's instant; for "send test now" (is_test = 1) when it was asked for
    isTest: integer("is_test").notNull().default(0),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    error: text("error"),
    recipients: text("recipients"), // JSON list the run was sent to
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("report_deliveries_report_idx").on(t.reportId, t.createdAt),
    uniqueIndex("report_deliveries_run_idx").on(t.reportId, t.scheduledFor).where(sql`is_test = 0`),
  ],
);
