import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { products } from "./products";
import { users } from "./accounts";

/**
 * Outgoing product webhooks (DESIGN.md "Developer surface": goal completed, purchase, new
 * visitor, alert), Standard Webhooks signed. event_types: JSON array of type names
 * (src/webhooks/event-types.ts). The signing secret is sealed (src/lib/secret-box.ts); after a
 * rotation the previous one keeps signing too until previous_expires_at, so receivers can
 * switch without dropping a message (Standard Webhooks allows several signatures).
 */
export const webhookEndpoints = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    eventTypes: text("event_types").notNull(),
    secretSealed: text("secret_sealed").notNull(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousExpiresAt: integer("previous_expires_at"),
    enabled: integer("enabled").notNull().default(1),
    /** Why it was switched off by the server (persistent failure); null when a person did it or it is on. */
    disabledReason: text("disabled_reason"),
    /** Deliveries in a row that ended failed; a success sets it back to 0. */
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    /** When the first of those failed deliveries was created; the endpoint is switched off when it is older than DISABLE_AFTER_MS. */
    failingSince: integer("failing_since"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhooks_product_idx").on(t.productId, t.enabled)],
);

/**
 * The outbox: one row per (message, endpoint), written in the same transaction as what caused
 * it (the writer's flush, the alert tick), so nothing is announced that was not committed. `id`
 * is the Standard Webhooks `webhook-id`, the same on every attempt. `body` is the exact JSON
 * that is signed and sent. status: 'pending' | 'retrying' | 'sent' | 'failed'. Its attempts are
 * rows of THE delivery log (./delivery.ts).
 */
export const webhookMessages = sqliteTable(
  "webhook_messages",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id").notNull().references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventType: text("event_type").notNull(),
    body: text("body").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [index("webhook_messages_status_idx").on(t.status, t.nextAttemptAt), index("webhook_messages_endpoint_idx").on(t.endpointId, t.createdAt)],
);
