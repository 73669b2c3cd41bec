import type { EventRecord } from "../writer/batch";
import type { ResolvedFilter, ResolvedMetricQuery } from "../query/events/parse";
import type { ResolvedStep } from "../funnels/sources";

/**
 * The product-events half of the storage port (DESIGN.md "Beyond one machine"): every read of
 * stored events the product makes, and the writer's side that stores and deletes them. SQLite
 * (src/storage/sqlite/events-*.ts) or ClickHouse (src/storage/clickhouse/events-*.ts); callers
 * never know which. What is derived from events but is not per-event — the inferred schemas
 * (event_schema_fields, event_name_counts) and the `event:<name>` point series — stays where it
 * is on every engine (SQLite, and the points sink).
 */

/** A stored event as the list, the explorer and the live stream read it. */
export type EventRow = { seq: number; id: string | null; ts_ms: number; name: string; namespace: string | null; properties: string | null; context: string | null };
/** A stored event with every column (a person's export). */
export type PersonRow = EventRow & { user_id: string | null; session_id: string | null; visitor_id: string | null };
/** One metrics/query group: `g0…gN` in groupBy order, then the aggregate `v`. */
export type MetricGroupRow = Record<string, unknown> & { v: number | null };
/** One funnel row: the entity, the time, which steps it matches (bit i = step i), the breakdown value. */
export type FunnelRow = { entity: string; ts: number; mask: number; b: string | null };

export interface EventsReader {
  /**
   * The aggregate per group of a metrics/query (`starts`: the unclipped bucket starts of its time
   * unit), at most `limit` groups, in no particular order.
   */
  metricGroups(productId: string, q: ResolvedMetricQuery, starts: number[], limit: number): MetricGroupRow[];
  /** The newest stored event's seq, over every product (0 when there is none): a page snapshot. */
  newestSeq(): number;
  /** A page of the filter's events with seq ≤ asOf, by time then seq, and how many there are. */
  page(productId: string, f: ResolvedFilter, asOf: number, desc: boolean, limit: number, offset: number): { total: number; rows: EventRow[] };
  one(productId: string, seq: number): EventRow | null;
  /** The filter's events with seq > `after`, by seq, at most `limit` (the live stream). */
  after(productId: string, f: ResolvedFilter, after: number, limit: number): EventRow[];
  /** Distinct (bucket index, user) of the filter's events with a user id; at most `limit` rows. */
  userBuckets(productId: string, f: ResolvedFilter, starts: number[], limit: number): { b: number; u: string }[];
  /** Each user's first event among `events` (null = any name), over all time; at most `limit` rows. */
  firstSeen(productId: string, events: string[] | null, limit: number): { u: string; t: number }[];
  /** The filter's events as (user, visitor, session, time) by time, then arrival. */
  eventTimes(productId: string, f: ResolvedFilter, limit: number): { u: string | null; vi: string | null; s: string | null; t: number }[];
  /**
   * The writer's user-day rows of a zone in day order (then user), before `beforeDay`, or null
   * when this engine has none that cover every event (the caller reads raw events instead).
   */
  userDaysInOrder(productId: string, zone: string, beforeDay: number, limit: number): [day: number, user: string][] | null;
  /**
   * Distinct users per day from pre-aggregated rows, or null when the engine answers the query
   * from raw events instead (src/query/events/user-days-plan.ts on SQLite).
   */
  userDayGroups(productId: string, q: ResolvedMetricQuery, starts: number[]): MetricGroupRow[] | null;
  /** A funnel's step matches per user, ordered by user then time (streamed). */
  funnelRows(productId: string, steps: Extract<ResolvedStep, { event: string }>[], span: { from: number; to: number }, breakdown: string | null): Iterable<FunnelRow>;
  /** When the product's first event happened, or null. */
  firstEventTime(productId: string): number | null;
  /** Every event of a person (user id, visitor id or email, DESIGN.md "Operations"), oldest first. */
  personEvents(productId: string, person: string): PersonRow[];
  /** The namespaces the product's events use, sorted, at most `limit`. */
  namespaces(productId: string, limit: number): string[];
}

/** Where events go to be deleted by retention: one namespace, or every namespace but these. */
export type RetentionScope = { namespace: string } | { exclude: string[] };
export type EraseStep = { deleted: number; next: number; done: boolean };

/**
 * The writer's side, on the writer thread. `add` runs once per request inside the flush
 * transaction and returns the events that are new (a repeated `id` is a duplicate); `write`
 * runs once per flush right before COMMIT (with the points sink), and throwing there rolls the
 * whole flush back, answered 503 — nothing is answered "stored" that the data plane did not
 * take. `begin` starts a flush (a flush retried request by request begins again).
 */
export interface EventsSink {
  begin(): void;
  /** `token`: an idempotent request's insert_deduplication_token (ClickHouse), else null. */
  add(productId: string, events: EventRecord[], token: string | null, now: number): EventRecord[];
  /** Events written by this flush (0 on SQLite, where `add` already inserted them). */
  write(): number;
  /** Retention: the scope's events before `before`, at most about `limit` per call; 0 when done. */
  deleteOld(productId: string, before: number, scope: RetentionScope, limit: number): number;
  /**
   * Erasure: a step of deleting a person's events, and on the first step the SQLite side of the
   * person's web data (webhook messages; on SQLite their visits too — on ClickHouse the web sink
   * deletes those, src/storage/web-plane.ts).
   */
  erasePerson(productId: string, person: string, after: number, limit: number): EraseStep;
  /** A deleted product's events (0 on SQLite: its purge finds the table itself). */
  purgeProduct(productId: string): number;
  /** A step of completing a zone's user-day rows (src/writer/user-days.ts); done at once where there are none. */
  rebuildUserDays(productId: string, zone: string, after: number, limit: number): { next: number; done: boolean };
}
