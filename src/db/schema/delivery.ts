import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, check } from "drizzle-orm/sqlite-core";
import { products } from "./products";
import { webhookMessages } from "./webhooks";
import { alertNotifications } from "./alerts";

/**
 * THE delivery log (src/delivery/log.ts): every attempt of every outbound delivery LiteKPI
 * makes — a product webhook's message to its endpoint, and an alert notification on any channel
 * (email, Slack, webhook, in-app, an email digest) — with what the other side answered and how
 * long it took. A row belongs to exactly one outbox row, named by the one column of its kind
 * that is set; each is a real foreign key, so an outbox row deleted by any path (erasure, the
 * 30-day prune, its endpoint, rule, channel or product deleted) takes its attempts with it. A new
 * outbound kind is a new nullable column here and one line in the CHECK.
 */
export const deliveryAttempts = sqliteTable(
  "delivery_attempts",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    webhookMessageId: text("webhook_message_id").references(() => webhookMessages.id, { onDelete: "cascade" }),
    alertNotificationId: text("alert_notification_id").references(() => alertNotifications.id, { onDelete: "cascade" }),
    /** 1-based: the outbox row's attempt count after this one. */
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    ok: integer("ok").notNull(),
    /** The HTTP status the receiver answered; null for mail, in-app and failures before an answer. */
    statusCode: integer("status_code"),
    error: text("error"),
    /** The first KB of the receiver's answer. */
    response: text("response"),
    durationMs: integer("duration_ms").notNull(),
  },
  (t) => [
    index("delivery_attempts_webhook_idx").on(t.webhookMessageId, t.attempt),
    index("delivery_attempts_alert_idx").on(t.alertNotificationId, t.attempt),
    // Bare column names: a table copy in a later migration (CREATE TABLE __new_…) must not name the old table.
    check("delivery_attempts_one_outbox", sql`("webhook_message_id" IS NULL) <> ("alert_notification_id" IS NULL)`),
  ],
);
