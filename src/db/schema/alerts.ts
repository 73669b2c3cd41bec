import { sqliteTable, text, integer, real, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { products } from "./products";
import { users } from "./accounts";

/**
 * Alert rules (DESIGN.md "Alerts"). query / condition: JSON checked by src/alerts/rule-input.ts;
 * evaluated_through is the watermark: every minute boundary up to it has been evaluated and its
 * episode changes and notifications committed in the same transaction.
 */
export const alertRules = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    query: text("query").notNull(),
    window: text("window").notNull(),
    condition: text("condition").notNull(),
    cooldown: text("cooldown"),
    mutedAt: integer("muted_at"),
    snoozedUntil: integer("snoozed_until"),
    evaluatedThrough: integer("evaluated_through").notNull(),
    /** Why the last evaluation failed (the query was refused, say); null once one succeeds. */
    lastError: text("last_error"),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("alerts_product_idx").on(t.productId)],
);

/** type: 'email' | 'slack' | 'webhook' | 'in_app'; config JSON; a webhook's signing secret sealed (src/lib/secret-box.ts). */
export const alertChannels = sqliteTable(
  "alert_channels",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull().references(() => alertRules.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    type: text("type").notNull(),
    config: text("config").notNull(),
    secretSealed: text("secret_sealed"),
    /** Email digests: the end of the last digest period handled (watermark). */
    digestThrough: integer("digest_through"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("alert_channels_rule_idx").on(t.ruleId, t.position)],
);

/** status: 'active' | 'acknowledged' | 'resolved' (seed 003's inventory alert states, for every rule). */
export const alertEpisodes = sqliteTable(
  "alert_episodes",
  {
    id: text("id").primaryKey(),
    ruleId: text("rule_id").notNull().references(() => alertRules.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    startedAt: integer("started_at").notNull(),
    resolvedAt: integer("resolved_at"),
    status: text("status").notNull(),
    startValue: real("start_value"),
    threshold: real("threshold"),
    lastValue: real("last_value"),
    acknowledgedAt: integer("acknowledged_at"),
    acknowledgedBy: text("acknowledged_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("alert_episodes_start_idx").on(t.ruleId, t.startedAt), index("alert_episodes_product_idx").on(t.productId, t.startedAt)],
);

/**
 * One row per (episode, channel, started|resolved): the unique index makes a second claim after
 * a crash a no-op. status: 'pending' | 'retrying' | 'sent' | 'failed' | 'muted' | 'digest'. Its
 * attempts are rows of THE delivery log (./delivery.ts).
 */
export const alertNotifications = sqliteTable(
  "alert_notifications",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    ruleId: text("rule_id").notNull().references(() => alertRules.id, { onDelete: "cascade" }),
    episodeId: text("episode_id").notNull().references(() => alertEpisodes.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull().references(() => alertChannels.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    status: text("status").notNull(),
    payload: text("payload").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("alert_notifications_once_idx").on(t.episodeId, t.channelId, t.kind),
    index("alert_notifications_status_idx").on(t.status, t.nextAttemptAt),
    index("alert_notifications_rule_idx").on(t.ruleId, t.createdAt),
  ],
);

/** In-app notifications: one row per member per notification; the header's bell counts unread ones. */
export const inboxNotifications = sqliteTable(
  "inbox_notifications",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull().references(() => alertNotifications.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    body: text("body").notNull(),
    url: text("url").notNull(),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [uniqueIndex("inbox_notifications_once_idx").on(t.notificationId, t.userId), index("inbox_notifications_user_idx").on(t.userId, t.readAt, t.createdAt)],
);
