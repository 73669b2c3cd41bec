import type { Database } from "bun:sqlite";
import { notFound } from "../lib/errors";
import { toStoredEvent, type StoredEvent } from "../query/events/list";
import { eventsReaderFor } from "../storage";
import type { ResolvedFilter } from "../query/events/parse";

/**
 * The event explorer's reads (seed 002 §4.1): one event's full JSON, the inferred schema the
 * writer keeps (src/writer/event-schemas.ts), and the newest events after a cursor for the live
 * stream. Browsing and search are `events/query` (src/query/events/list.ts).
 */
type Db = { $client: Database };

export type SchemaField = { field: string; type: string; seen: number; share: number; example: string };
export type EventSchema = { name: string; events: number; fields: SchemaField[] };

export function eventSchemas(db: Db, productId: string): EventSchema[] {
  const names = db.$client.query("SELECT name, events FROM event_name_counts WHERE product_id = ? ORDER BY name LIMIT 500").all(productId) as { name: string; events: number }[];
  const fields = db.$client
    .query("SELECT name, field, type, seen, example FROM event_schema_fields WHERE product_id = ? ORDER BY name, field, seen DESC LIMIT 20000")
    .all(productId) as { name: string; field: string; type: string; seen: number; example: string }[];
  const byName = new Map(names.map((n) => [n.name, { name: n.name, events: n.events, fields: [] as SchemaField[] }]));
  for (const f of fields) {
    const s = byName.get(f.name);
    if (s) s.fields.push({ field: f.field, type: f.type, seen: f.seen, share: s.events ? f.seen / s.events : 0, example: f.example });
  }
  return [...byName.values()];
}

export function getEvent(db: Db, productId: string, seq: number): StoredEvent {
  const row = eventsReaderFor(db.$client).one(productId, seq);
  if (!row) throw notFound("No such event");
  return toStoredEvent(row);
}

/** The newest stored event's seq (where a live stream starts). */
export const newestSeq = (db: Db) => eventsReaderFor(db.$client).newestSeq();

/** Events matching the filter stored after `after`, oldest first, at most `limit`. */
export function eventsAfter(db: Db, productId: string, f: ResolvedFilter, after: number, limit: number): StoredEvent[] {
  return eventsReaderFor(db.$client).after(productId, f, after, limit).map(toStoredEvent);
}
