import type { EventRow, SessionRow } from "../web/query/filters";
import type { AttributedSession } from "../revenue/attribution";
import type { AggFold } from "../writer/web/fold";
import type { Session } from "../writer/web/web-writer";
import type { WebEventRow } from "../writer/web/event-rows";

/**
 * The web-analytics half of the storage port (DESIGN.md "Beyond one machine", "Web analytics"):
 * raw hits (web_events), visits (web_sessions) and the hourly / daily pre-aggregates, whichever
 * engine holds them — SQLite (src/storage/sqlite/web-*.ts) or ClickHouse
 * (src/storage/clickhouse/web-*.ts). The web writer's memory (open visits, the fold, the
 * visitor-day occurrences) is the same on every engine; only where its rows go and where the
 * query engine, attribution, goals and funnels read them differ. Sites, domains, salts, goals,
 * settings and drop counters are control plane: they stay in SQLite on every engine.
 */

/** One pre-aggregate row as the query sums it: value, first_seen, last_seen (before a), hour_seen, visits, bounces, duration, visit page views, visit events, page views, events. */
export type AggSumRow = [string, number, number, number, number, number, number, number, number, number, number];
/** A browser-reported payment's hit. */
export type RevenueHit = EventRow & { revenue_amount: number };
/** One hit as a web funnel reads it (`start_ms`: its visit's start, when asked). */
export type FunnelHitRow = { visitor_id: number; ts_ms: number; name: string; hostname: string; pathname: string; props: string | null; session_id: number; start_ms: number | null };

export interface WebReader {
  /** Visits of the product overlapping [from, to): last event at or after `from`, start before `to`. */
  sessionsOverlapping(productId: string, from: number, to: number): SessionRow[];
  /**
   * The hits of those visits, by time then arrival: every hit but `identify` (names null), or
   * only hits with one of `names`.
   */
  hitsOfOverlapping(productId: string, from: number, to: number, names: string[] | null): EventRow[];
  /** Visits by id (any order). */
  sessionsByIds(productId: string, ids: number[]): SessionRow[];
  /** One visit by id, or null. */
  sessionById(productId: string, id: number): SessionRow | null;
  /** Day rows of one stored dimension, summed by value, for UTC days [fromDay, toDay). */
  aggDays(productId: string, dim: string, fromDay: number, toDay: number): AggSumRow[];
  /** Hour rows of [fromHour, toHour) summed by value: hours before `a` count only first_seen and last_seen (README of agg.ts). */
  aggHours(productId: string, dim: string, a: number, fromHour: number, toHour: number): AggSumRow[];
  /**
   * Optional: the query is about to sum many buckets of one dimension in [fromHour, toHour)
   * (a chart). An engine where each query has a fixed cost (ClickHouse) reads those rows once
   * and answers the aggDays / aggHours calls of this synchronous run from them; SQLite's
   * indexed lookups need no such thing.
   */
  aggPrefetch?(productId: string, dim: string, fromHour: number, toHour: number): void;
  /** Distinct visitor ids with a hit at or after `since` (exact). */
  realtimeVisitors(productId: string, since: number): number;
  /** The first UTC day of the day rows (its "everything" row), or null. */
  firstAggDay(productId: string): number | null;
  /** The first hit's time in [from, to), or null. */
  firstHitBetween(productId: string, from: number, to: number): number | null;
  /** Hits of [from, to) that carried an amount in `currency` (of one event `name` when given), by time then arrival. */
  revenueHits(productId: string, from: number, to: number, currency: string, name: string | null): RevenueHit[];
  /** Visits of persisted visitor ids (attribution mode), newest start first. */
  visitsOfPersisted(productId: string, persistedIds: string[]): (AttributedSession & { persisted_id: string })[];
  /** Visits of one visitor id that started in (since, until], newest first. */
  visitsOfVisitor(productId: string, visitorId: number, until: number, since: number): AttributedSession[];
  /** The visitor id that last called identify() with one of the two names (no case) at or before `until`, or null. */
  identifiedVisitor(productId: string, a: string, b: string, until: number): number | null;
  /** Hits of [from, to) with one of `names`, by visitor then time (a web funnel). */
  funnelHits(productId: string, from: number, to: number, names: string[], withStart: boolean): Iterable<FunnelHitRow>;
}

/** What one flush changes: its raw hits in arrival order, the visits it touched, the folded aggregate deltas. */
export type WebFlush = { events: WebEventRow[]; sessions: Session[]; fold: AggFold };

/**
 * The writer's side, on the writer thread. `write` runs at most once per flush, right before
 * COMMIT (src/writer/flush.ts); throwing there rolls the whole flush back, answered 503 —
 * nothing is answered "stored" that the data plane did not take.
 */
export interface WebSink {
  write(flush: WebFlush): void;
  /** Deferred aggregate changes may be waiting (SQLite's fold journal; never on ClickHouse, which sums inserted deltas itself). */
  foldPending(): boolean;
  /** Outside any transaction: the deferred changes into the aggregates; how many journal rows. */
  fold(): number;
  /** The highest visit id stored (0 when none): the writer numbers new visits after it. */
  maxSessionId(): number;
  /** What the writer rebuilds its memory of a product from (src/writer/web/rebuild.ts). */
  openSessions(productId: string, lastAfter: number): StoredSession[];
  sessionsStartedSince(productId: string, from: number): StoredSession[];
  hitsSince(productId: string, from: number): { session_id: number; visitor_id: number; ts_ms: number; name: string; hostname: string; pathname: string; props: string | null }[];
  /** Retention: hits before `before`, then visits that ended before it, about `limit` per call; 0 when done. Aggregates stay. */
  deleteOld(productId: string, before: number, limit: number): number;
  /** Erasure: the visits of a persisted visitor id and their hits (0 on SQLite, where the events erasure takes them in its transaction). */
  erasePerson(productId: string, person: string): number;
  /** A deleted product's web rows (0 on SQLite: its purge finds the tables itself). */
  purgeProduct(productId: string): number;
}

/** A web_sessions row with every column. */
export type StoredSession = {
  id: number; product_id: string; visitor_id: number; persisted_id: string | null; start_ms: number; last_ms: number; last_active_ms: number;
  tail_engaged_ms: number; engaged_ms: number; pageviews: number; events: number; custom_events: number; entry_page: string | null; exit_page: string | null;
  hostname: string | null; source: string | null; referrer: string | null; utm_source: string | null; utm_medium: string | null;
  utm_campaign: string | null; utm_content: string | null; utm_term: string | null; click_ids: string | null; country: string | null;
  region: string | null; device: string | null; browser: string | null; os: string | null;
};

/** web_sessions' columns in table order (both engines; ClickHouse adds its version column). */
export const SESSION_COLUMNS = [
  "id", "product_id", "visitor_id", "persisted_id", "start_ms", "last_ms", "last_active_ms", "tail_engaged_ms", "engaged_ms", "pageviews", "events", "custom_events",
  "entry_page", "exit_page", "hostname", "source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "click_ids", "country", "region", "device", "browser", "os",
] as const;
/** web_events' columns as the writer inserts them (SQLite numbers `seq` itself). */
export const WEB_EVENT_COLUMNS = ["product_id", "session_id", "visitor_id", "ts_ms", "name", "hostname", "pathname", "props", "engaged_ms", "scroll_depth", "revenue_amount", "revenue_currency"] as const;
/** The aggregate tables' columns, in the order the fold writes them. */
export const AGG_COLUMNS = ["product_id", "bucket", "dim", "value", "first_seen", "last_seen", "visits", "bounces", "duration_ms", "visit_pageviews", "visit_events", "pageviews", "events", "hour_seen"] as const;
