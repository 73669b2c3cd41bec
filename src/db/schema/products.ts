import { sqliteTable, text, integer, primaryKey, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

export const products = sqliteTable("products", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  timezone: text("timezone").notNull().default("UTC"),
  siteToken: text("site_token").notNull().unique(), // public token for the tracking script
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: integer("created_at").notNull(),
});

/** role: 'owner' | 'member' (FR-5.4: members have equal access to data and dashboards). */
export const memberships = sqliteTable(
  "memberships",
  {
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.userId] }), index("memberships_user_idx").on(t.userId)],
);

/** Keys are shown once; only SHA-256 of the whole key is stored. scope: 'ingest' | 'read' | 'manage' (manage also reads). */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    scope: text("scope").notNull(),
    keyHash: text("key_hash").notNull(),
    prefix: text("prefix").notNull(), // e.g. "lk_4f2a", for display
    last4: text("last4").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_idx").on(t.keyHash), index("api_keys_product_idx").on(t.productId)],
);

/** Invites are bound to the invited address, single use, 7 days. */
export const invites = sqliteTable(
  "invites",
  {
    id: text("id").primaryKey(),
    productId: text("product_id").notNull().references(() => products.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    invitedBy: text("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    acceptedAt: integer("accepted_at"),
    cancelledAt: integer("cancelled_at"),
  },
  (t) => [index("invites_product_idx").on(t.productId)],
);

/**
 * Products deleted by people but whose data-plane rows (series, points, rollups, events) are
 * still being purged in batches by a job, so a big delete never stalls other products' ingestion.
 */
export const productPurges = sqliteTable("product_purges", {
  productId: text("product_id").primaryKey(),
  requestedAt: integer("requested_at").notNull(),
});
