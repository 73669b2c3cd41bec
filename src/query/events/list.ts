import type { Database } from "bun:sqlite";
import * as v from "valibot";
import { isValidZone } from "../../lib/time/zone";
import { observe } from "../../lib/histogram";
import { queryLatency } from "../latency";
import { eventsReaderFor } from "../../storage";
import type { EventRow } from "../../storage/events-plane";
import { FilterSchema, invalid, parseWith, resolveFilter } from "./parse";

/**
 * `POST /api/v1/events/query` (seed 002 §6.4): the raw events of a filter, one page at a time.
 *
 * Pages stay stable while events keep arriving: every answer carries `asOf` (the newest stored
 * event it could see); a next page sent with that `asOf` reads the same snapshot, so nothing
 * shifts between pages and `total` holds. Ties in time are broken by arrival order (`seq`),
 * which the (product, time) index already carries, so the order is total and the index serves it.
 */
export const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;
const MAX_OFFSET = 1_000_000;

export const EventsQuerySchema = v.strictObject(
  {
    filter: v.optional(FilterSchema),
    limit: v.optional(v.pipe(v.number("limit is a number"), v.integer("limit is a whole number"), v.minValue(1, "limit is at least 1"), v.maxValue(MAX_PAGE, `limit is at most ${MAX_PAGE}`))),
    offset: v.optional(v.pipe(v.number("offset is a number"), v.integer("offset is a whole number"), v.minValue(0, "offset is at least 0"), v.maxValue(MAX_OFFSET, `offset is at most ${MAX_OFFSET}`))),
    orderBy: v.optional(v.strictObject({ field: v.optional(v.picklist(["timestamp"], 'orderBy.field is "timestamp"')), direction: v.optional(v.picklist(["asc", "desc"], "direction is asc or desc")) })),
    timezone: v.optional(v.string("timezone is an IANA name like Europe/Berlin")),
    asOf: v.optional(v.pipe(v.string("asOf is the asOf of an earlier answer"), v.regex(/^\d{1,16}$/, "asOf is the asOf of an earlier answer"))),
  },
  "the query is a JSON object",
);

export type StoredEvent = {
  id: string;
  seq: number;
  event: string;
  namespace: string | null;
  timestamp: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
};
export type EventsPage = { events: StoredEvent[]; total: number; limit: number; offset: number; asOf: string };

type Db = { $client: Database };

export function queryEvents(db: Db, product: { id: string; timezone: string }, input: unknown, now: number): EventsPage {
  const started = performance.now();
  try {
    const q = parseWith(EventsQuerySchema, input);
    const zone = q.timezone ?? product.timezone;
    if (!isValidZone(zone)) throw invalid("timezone", `unknown time zone "${zone}"; use an IANA name like Europe/Berlin`);
    const filter = resolveFilter(q.filter, zone, now, "filter");
    const events = eventsReaderFor(db.$client);
    const asOf = q.asOf !== undefined ? Number(q.asOf) : events.newestSeq();
    const limit = q.limit ?? DEFAULT_PAGE;
    const offset = q.offset ?? 0;
    const { total, rows } = events.page(product.id, filter, asOf, q.orderBy?.direction !== "asc", limit, offset);
    return { events: rows.map(toStoredEvent), total, limit, offset, asOf: String(asOf) };
  } finally {
    observe(queryLatency, (performance.now() - started) / 1000);
  }
}

/** One stored event as the API shows it; `id` is the client's id, or `seq_<n>` when it sent none. */
export function toStoredEvent(r: EventRow): StoredEvent {
  return {
    id: r.id ?? `seq_${r.seq}`,
    seq: r.seq,
    event: r.name,
    namespace: r.namespace,
    timestamp: new Date(r.ts_ms).toISOString(),
    properties: r.properties ? JSON.parse(r.properties) : {},
    context: r.context ? JSON.parse(r.context) : {},
  };
}
