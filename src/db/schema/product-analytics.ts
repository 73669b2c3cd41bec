import { sqliteTable, text, integer, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
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

/**
 * Data plane, written only by the writer inside the flush: which users were active on which
 * local day, so `distinct user_id by day` (DAU, active users, R18) counts index rows instead of
 * scanning events. Days are the query engine's calendar days in `zone` (the product's zone when
 * the event was stored), as days since 1970-01-01 of the local date. One row per
 * (product, zone, day, user) for all events, and one per event name; a day's distinct users is
 * then count(*) of its rows. WITHOUT ROWID is added by hand in the migration SQL.
 */
export const eventUserDays = sqliteTable(
  "event_user_days",
  {
    productId: text("product_id").notNull(),
    zone: text("zone").notNull(),
    day: integer("day").notNull(),
    userId: text("user_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.zone, t.day, t.userId] })],
);

export const eventNameUserDays = sqliteTable(
  "event_name_user_days",
  {
    productId: text("product_id").notNull(),
    zone: text("zone").notNull(),
    name: text("name").notNull(),
    day: integer("day").notNull(),
    userId: text("user_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.zone, t.name, t.day, t.userId] })],
);

/**
 * Whether a product's user-day rows in a zone cover every event it has: `complete` = 1 when the
 * writer started them before the product's first event (else older events lack rows, e.g. after
 * a time zone change, and the planner reads raw events for that zone).
 */
export const eventDayRollups = sqliteTable(
  "event_day_rollups",
  {
    productId: text("product_id").notNull(),
    zone: text("zone").notNull(),
    complete: integer("complete").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.zone] })],
);

/**
 * The inferred schema of each event (seed 002 §4.1 "Schema Inspector"), kept by the writer
 * inside the flush as it stores events: per (product, event name, field, JSON type) how many
 * events had it and one example value; `event_name_counts` holds how many events of the name
 * were stored, so "share present" is seen / events. Fields are `properties.<key>` and
 * `context.<key>` (top level). WITHOUT ROWID is added by hand in the migration SQL.
 */
export const eventSchemaFields = sqliteTable(
  "event_schema_fields",
  {
    productId: text("product_id").notNull(),
    name: text("name").notNull(),
    field: text("field").notNull(),
    type: text("type").notNull(), // string | number | boolean | object | array | null
    seen: integer("seen").notNull(),
    example: text("example").notNull(), // JSON text, at most 200 characters
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.name, t.field, t.type] })],
);

export const eventNameCounts = sqliteTable(
  "event_name_counts",
  {
    productId: text("product_id").notNull(),
    name: text("name").notNull(),
    events: integer("events").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.name] })],
);

/**
 * A namespace's declared schema (seed 002 §4.5 "Schema Management"): JSON
 * `{ properties: { <key>: { type, required? } }, additionalProperties? }`; when `enforced`, an
 * event of the namespace that breaks it is refused at ingest (400 naming the field).
 */
export const namespaceSchemas = sqliteTable(
  "namespace_schemas",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    namespace: text("namespace").notNull(),
    schema: text("schema").notNull(),
    enforced: integer("enforced").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.namespace] })],
);
