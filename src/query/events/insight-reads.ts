import type { Database } from "bun:sqlite";
import { AppError } from "../../lib/errors";
import { eventsReaderFor } from "../../storage";
import type { ResolvedFilter } from "./parse";

/**
 * The reads insights are computed from, on the data plane (src/storage/events-plane.ts): distinct
 * (bucket, user) pairs, users' first events, and the event times sessions are cut from. Each is
 * bounded: past MAX_INSIGHT_ROWS rows the insight is refused (narrow the range or filter).
 */
export const MAX_INSIGHT_ROWS = 2_000_000;

const tooLarge = () => new AppError(400, "query_too_large", `This insight reads more than ${MAX_INSIGHT_ROWS} rows: pick a shorter range or filter by event`, { field: "filter.timeRange" });

function bounded<T>(rows: T[]): T[] {
  if (rows.length > MAX_INSIGHT_ROWS) throw tooLarge();
  return rows;
}

/** Distinct (bucket index, user id) pairs of the filter's events with a user id; `starts` are the buckets' starts, every event < f.to. */
export function userBuckets(sqlite: Database, productId: string, f: ResolvedFilter, starts: number[]): { b: number; u: string }[] {
  if (!starts.length || f.from >= f.to) return [];
  return bounded(eventsReaderFor(sqlite).userBuckets(productId, f, starts, MAX_INSIGHT_ROWS + 1));
}

/** Each user's first event among `events` (names; null = any), over all time. */
export function firstSeen(sqlite: Database, productId: string, events: string[] | null): { u: string; t: number }[] {
  return bounded(eventsReaderFor(sqlite).firstSeen(productId, events, MAX_INSIGHT_ROWS + 1));
}

/** The filter's events as (user, visitor, session, time), in time order: what sessions are cut from. */
export function eventTimes(sqlite: Database, productId: string, f: ResolvedFilter): { u: string | null; vi: string | null; s: string | null; t: number }[] {
  return bounded(eventsReaderFor(sqlite).eventTimes(productId, f, MAX_INSIGHT_ROWS + 1));
}

/**
 * The writer's user-day rows of a zone (src/writer/user-days.ts), every day of the product in
 * day order: a user's first row is the local day of their first event. Null when the zone's
 * rows do not cover every event (see event_day_rollups), or the engine keeps none (ClickHouse):
 * the caller reads raw events instead.
 * Measured: 100k events, 48k users — the raw first-seen GROUP BY took ~1 s, this ~0.1 s.
 */
export function userDaysInOrder(sqlite: Database, productId: string, zone: string, beforeDay: number): [day: number, user: string][] | null {
  const rows = eventsReaderFor(sqlite).userDaysInOrder(productId, zone, beforeDay, MAX_INSIGHT_ROWS + 1);
  return rows && bounded(rows);
}
