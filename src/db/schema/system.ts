import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";

/** Mail that was sent or, with no SMTP configured, only logged: so a first run can still finish. */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    status: text("status").notNull(), // 'logged' | 'sent' | 'failed'
    error: text("error"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("outbox_created_idx").on(t.createdAt)],
);

/** THE job table: one row per job with its watermark, so a restart neither skips nor repeats. */
export const jobs = sqliteTable("jobs", {
  name: text("name").primaryKey(),
  lastStartedAt: integer("last_started_at"),
  lastFinishedAt: integer("last_finished_at"),
  lastError: text("last_error"),
  runs: integer("runs").notNull().default(0),
});

/**
 * One row the writer thread rewrites to test that a write reaches the disk again after one
 * failed (a full disk): /healthz turns 200 by itself once space returns.
 */
export const writerProbe = sqliteTable("writer_probe", {
  id: integer("id").primaryKey(),
  at: integer("at").notNull(),
});

/**
 * A counter that triggers (migration 0002) move on every api_keys change that can end a key:
 * revoke, regenerate, scope or product change, delete (also by cascade). The key cache compares
 * it on each request, so a revoke by any connection — the CLI's, another thread's — counts on
 * the very next request, while the writer's last_used_at stamps leave the cache warm.
 */
export const apiKeyEpoch = sqliteTable("api_key_epoch", {
  id: integer("id").primaryKey(),
  n: integer("n").notNull(),
});
