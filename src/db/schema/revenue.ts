import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { products } from "./products";

/**
 * Revenue (DESIGN.md "Revenue"). Control plane: one integration per product and provider, its
 * signing secret sealed with AES-256-GCM (src/lib/secret-box.ts; never stored or shown in clear
 * after it is saved). Data plane: revenue events, written only by the writer thread.
 */
export const revenueIntegrations = sqliteTable(
  "revenue_integrations",
  {
    productId: text("product_id")
      .notNull()
      .references(() => products.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(), // 'stripe' | 'lemonsqueezy' | 'polar' | 'shopify'
    secretSealed: text("secret_sealed").notNull(),
    /** The last 4 characters, to show which secret is saved. */
    secretLast4: text("secret_last4").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastReceivedAt: integer("last_received_at"),
  },
  (t) => [primaryKey({ columns: [t.productId, t.provider] })],
);

/**
 * One row per purchase, refund, subscription change or checkout link, in minor units (refunds
 * negative). `provider_event_id` deduplicates redeliveries and the providers' double events.
 * `visitor_id` is the id the tracker kept (`litekpi.visitorId()`), matched to web_sessions'
 * persisted_id when revenue is read — so a webhook that lands before its page view is attributed
 * as soon as the page view is stored.
 */
export const revenueEvents = sqliteTable(
  "revenue_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    productId: text("product_id").notNull(),
    provider: text("provider").notNull(),
    providerEventId: text("provider_event_id").notNull(),
    kind: text("kind").notNull(), // 'purchase' | 'refund' | 'subscription' | 'link'
    amountMinor: integer("amount_minor").notNull(),
    currency: text("currency").notNull(),
    paidAt: integer("paid_at").notNull(),
    customerId: text("customer_id"),
    email: text("email"), // lower case
    plan: text("plan"),
    orderId: text("order_id"),
    subscriptionId: text("subscription_id"),
    subscriptionStatus: text("subscription_status"),
    mrrMinor: integer("mrr_minor"),
    visitorId: text("visitor_id"),
    receivedAt: integer("received_at").notNull(),
  },
  (t) => [
    uniqueIndex("revenue_events_dedupe_idx").on(t.productId, t.provider, t.providerEventId),
    index("revenue_events_product_paid_idx").on(t.productId, t.paidAt),
    index("revenue_events_product_visitor_idx").on(t.productId, t.visitorId),
    index("revenue_events_product_customer_idx").on(t.productId, t.customerId),
    index("revenue_events_product_order_idx").on(t.productId, t.orderId),
  ],
);
