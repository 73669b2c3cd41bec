import type { ItemError } from "../lib/errors";
import { isObject } from "../lib/names";
import { parseEvents } from "../ingest/events-payload";
import type { EventRecord } from "../writer/batch";

/**
 * Events from another vendor's wire format: each message is translated into the native event
 * shape (`{ event, timestamp?, properties?, context?, id? }`) and then checked by the native
 * parser, so a drop-in event obeys exactly the rules of POST /api/v1/events (names, ids, sizes,
 * the future limit). A message that cannot be translated is an item error at its own index.
 */
export class Untranslatable {
  constructor(
    readonly field: string | null,
    readonly message: string,
  ) {}
}

export type Translated = Record<string, unknown> | Untranslatable;

export function parseTranslated(list: Translated[], now: number): { events: EventRecord[]; errors: ItemError[] } {
  const errors: ItemError[] = [];
  const items: Record<string, unknown>[] = [];
  const origin: number[] = [];
  list.forEach((t, index) => {
    if (t instanceof Untranslatable) errors.push({ index, field: t.field, message: t.message });
    else items.push(t), origin.push(index);
  });
  const parsed = parseEvents(items, now);
  for (const e of parsed.errors) errors.push({ ...e, index: e.index === null ? null : origin[e.index]! });
  errors.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
  return { events: parsed.events, errors };
}

/** An identifier another vendor may send as a number (Segment's userId, PostHog's distinct_id). */
export function idString(raw: unknown): unknown {
  return typeof raw === "number" && Number.isFinite(raw) ? String(raw) : raw;
}

/** A copy of an object without some keys (the IP address is never stored: DESIGN.md). */
export function without(obj: unknown, keys: string[]): Record<string, unknown> | undefined {
  if (!isObject(obj)) return undefined;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) if (!keys.includes(k)) out[k] = obj[k];
  return out;
}

/** Drops undefined members, so the native parser sees only what a message really had. */
export function compact(obj: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(obj)) if (obj[k] === undefined) delete obj[k];
  return obj;
}
