import { sqliteTable, text, integer, primaryKey, index } from "drizzle-orm/sqlite-core";

/** Times are integer milliseconds since the epoch (UTC) everywhere in the schema. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(), // stored lower-cased
  name: text("name"),
  passwordHash: text("password_hash"), // null for OAuth-only accounts
  emailVerifiedAt: integer("email_verified_at"),
  createdAt: integer("created_at").notNull(),
});

/** Session token = `${id}.${secret}`; only SHA-256(secret) is stored (Lucia's pattern). */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    secretHash: text("secret_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * A registration whose address already had an account (see src/auth/pending-registration.ts):
 * the visitor gets a cookie like a session's and sees what a new, unverified user sees. No link to
 * users on purpose: nothing of the existing account is reachable from this row.
 */
export const pendingRegistrations = sqliteTable(
  "pending_registrations",
  {
    id: text("id").primaryKey(),
    secretHash: text("secret_hash").notNull(),
    email: text("email").notNull(), // as typed, lower-cased like users.email
    name: text("name"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("pending_registrations_expires_idx").on(t.expiresAt)],
);

export const oauthAccounts = sqliteTable(
  "oauth_accounts",
  {
    provider: text("provider").notNull(), // 'google' | 'github'
    providerUserId: text("provider_user_id").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerUserId] }), index("oauth_accounts_user_idx").on(t.userId)],
);

/** Single-use, expiring, hashed tokens mailed to a user: kind 'verify' | 'reset'. */
export const emailTokens = sqliteTable(
  "email_tokens",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    kind: text("kind").notNull(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("email_tokens_user_idx").on(t.userId, t.kind)],
);
