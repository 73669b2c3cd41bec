import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, primaryKey, real } from "drizzle-orm/sqlite-core";

/**
 * Web analytics data plane (DESIGN.md "Web analytics"), written only by the writer thread
 * (src/writer/web/). No IP address is stored anywhere: the visitor id is a keyed hash.
 *
 * Visitor ids are 53-bit integers (JavaScript's exact integer range): a keyed hash of
 * (daily salt, product, IP, User-Agent) in privacy mode, a hash of the id the script keeps in
 * localStorage in attribution mode (`persisted_id` keeps that id for erasure and revenue).
 */

/** One row per visit: a visitor's events with no gap of 30 minutes. */
export const webSessions = sqliteTable(
  "web_sessions",
  {
    id: integer("id").primaryKey(),
    productId: text("product_id").notNull(),
    visitorId: integer("visitor_id").notNull(),
    persistedId: text("persisted_id"),
    startMs: integer("start_ms").notNull(),
    /** Last event of any kind (the 30-minute timeout runs from here). */
    lastMs: integer("last_ms").notNull(),
    /** Last page view or custom event: duration runs from start to here, plus `tail_engaged_ms`. */
    lastActiveMs: integer("last_active_ms").notNull(),
    tailEngagedMs: integer("tail_engaged_ms").notNull().default(0),
    engagedMs: integer("engaged_ms").notNull().default(0),
    pageviews: integer("pageviews").notNull().default(0),
    /** Interactive custom events (what makes a one-page visit not a bounce). */
    events: integer("events").notNull().default(0),
    /** Every custom event of the visit, interactive or not. */
    customEvents: integer("custom_events").notNull().default(0),
    entryPage: text("entry_page"),
    exitPage: text("exit_page"),
    hostname: text("hostname"),
    source: text("source"),
    referrer: text("referrer"),
    utmSource: text("utm_source"),
    utmMedium: text("utm_medium"),
    utmCampaign: text("utm_campaign"),
    utmContent: text("utm_content"),
    utmTerm: text("utm_term"),
    /** JSON object of the click ids the landing URL carried (gclid, fbclid, msclkid, ttclid, twclid, li_fat_id). */
    clickIds: text("click_ids"),
    country: text("country"),
    region: text("region"),
    device: text("device"),
    browser: text("browser"),
    os: text("os"),
  },
  (t) => [
    index("web_sessions_product_start_idx").on(t.productId, t.startMs),
    index("web_sessions_product_last_idx").on(t.productId, t.lastMs),
    index("web_sessions_product_persisted_idx").on(t.productId, t.persistedId),
  ],
);

/** Raw page views, engagement pings and custom events (kept for filtered queries; retention deletes them). */
export const webEvents = sqliteTable(
  "web_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    productId: text("product_id").notNull(),
    sessionId: integer("session_id").notNull(),
    visitorId: integer("visitor_id").notNull(),
    tsMs: integer("ts_ms").notNull(),
    /** 'pageview', 'engagement', or a custom event / goal name. */
    name: text("name").notNull(),
    hostname: text("hostname").notNull(),
    pathname: text("pathname").notNull(),
    /** JSON object of string → string, or null. */
    props: text("props"),
    engagedMs: integer("engaged_ms"),
    scrollDepth: integer("scroll_depth"),
    revenueAmount: real("revenue_amount"),
    revenueCurrency: text("revenue_currency"),
  },
  (t) => [
    index("web_events_product_ts_idx").on(t.productId, t.tsMs),
    index("web_events_session_idx").on(t.sessionId),
    // Revenue reported by the browser (src/revenue/browser-payments.ts): partial, so the page
    // views that make up nearly every row never enter it and cost the writer nothing.
    index("web_events_revenue_idx").on(t.productId, t.tsMs).where(sql`revenue_amount IS NOT NULL`),
  ],
);

/**
 * Pre-aggregates per UTC hour (`bucket` = hours since the epoch) and per UTC day (`bucket` =
 * days since the epoch), per dimension and value ('' / '' = everything). Counters:
 * - first_seen / last_seen: visitor-days (a visitor on one UTC day) whose first / last occurrence
 *   with this value falls in the bucket; hour_seen (hour rows): visitor-days with an occurrence in
 *   the hour. Distinct visitors over whole days, day prefixes and suffixes, and single hours follow
 *   exactly from them (src/web/query/agg.ts explains how).
 * - visits, bounces, duration_ms, visit_pageviews, visit_events: visits counted in the bucket where
 *   they started (visit_events: their custom events); under event dimensions, `visits` counts a
 *   visit in the bucket where it first met the value.
 * - pageviews, events: page views and custom events in the bucket.
 * Kept by retention (charts and cards stay when raw rows go).
 */
const aggColumns = {
  productId: text("product_id").notNull(),
  bucket: integer("bucket").notNull(),
  dim: text("dim").notNull(),
  value: text("value").notNull(),
  firstSeen: integer("first_seen").notNull().default(0),
  lastSeen: integer("last_seen").notNull().default(0),
  hourSeen: integer("hour_seen").notNull().default(0),
  visits: integer("visits").notNull().default(0),
  bounces: integer("bounces").notNull().default(0),
  durationMs: integer("duration_ms").notNull().default(0),
  visitPageviews: integer("visit_pageviews").notNull().default(0),
  visitEvents: integer("visit_events").notNull().default(0),
  pageviews: integer("pageviews").notNull().default(0),
  events: integer("events").notNull().default(0),
};
export const webAggHour = sqliteTable("web_agg_hour", aggColumns, (t) => [primaryKey({ columns: [t.productId, t.dim, t.bucket, t.value] })]);
export const webAggDay = sqliteTable("web_agg_day", aggColumns, (t) => [primaryKey({ columns: [t.productId, t.dim, t.bucket, t.value] })]);

/** Requests the enrichment dropped on purpose, per product and reason (the settings page shows them). */
export const webDrops = sqliteTable(
  "web_drops",
  {
    productId: text("product_id").notNull(),
    reason: text("reason").notNull(),
    n: integer("n").notNull(),
    lastAt: integer("last_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.productId, t.reason] })],
);

/**
 * The daily salt of privacy-mode visitor ids: one row, for the current UTC day. A new day's salt
 * replaces the old one (which is deleted), so yesterday's ids cannot be recomputed.
 */
export const webSalts = sqliteTable("web_salts", {
  day: integer("day").primaryKey(),
  salt: text("salt").notNull(),
});
