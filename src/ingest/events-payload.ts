import type { ItemError } from "../lib/errors";
import type { EventRecord } from "../writer/batch";
import { isObject, jsonValueProblem, MAX_NAME, nameProblem, textProblem } from "../lib/names";
import { EVENTS, itemsOf, readTimestamp } from "./payload";

/**
 * The events payload: one event, `[…]` or `{ "events": […] }`, at most 1000;
 * each `{ event, namespace?, timestamp?, properties?, context?, id? }` and no other key.
 * `context.user_id` / `context.session_id` fill their columns (DESIGN.md, Settled details).
 */
const FIELDS = new Set(["event", "namespace", "timestamp", "properties", "context", "id"]);

export function parseEvents(body: unknown, now: number): { events: EventRecord[]; errors: ItemError[]; total: number } {
  const items = itemsOf(body, EVENTS);
  const events: EventRecord[] = [];
  const errors: ItemError[] = [];
  for (let i = 0; i < items.length; i++) {
    const e = readEvent(items[i], i, now, errors);
    if (e) events.push(e);
  }
  return { events, errors, total: items.length };
}

function readEvent(item: unknown, index: number, now: number, errors: ItemError[]): EventRecord | null {
  if (!isObject(item)) {
    errors.push({ index, field: null, message: "each event must be a JSON object" });
    return null;
  }
  const before = errors.length;
  const fail = (field: string, message: string) => errors.push({ index, field, message });
  for (const k of Object.keys(item)) {
    if (!FIELDS.has(k)) fail(k, `unknown field "${k}" (an event has event, namespace, timestamp, properties, context, id)`);
  }
  if (item.event === undefined) fail("event", "event is required (the event's name)");
  else {
    const problem = nameProblem(item.event, "event");
    if (problem) fail("event", problem);
  }
  const namespace = optional(item.namespace);
  if (namespace !== null) {
    const problem = nameProblem(namespace, "namespace");
    if (problem) fail("namespace", problem);
  }
  const tsMs = readTimestamp(item.timestamp, now, index, errors);
  const properties = optional(item.properties);
  if (properties !== null) {
    const problem = isObject(properties) ? jsonValueProblem(properties, "properties") : { field: "properties", message: "properties must be a JSON object" };
    if (problem) fail(problem.field, problem.message);
  }
  const context = optional(item.context);
  let userId: string | null = null;
  let sessionId: string | null = null;
  if (context !== null) {
    if (!isObject(context)) fail("context", "context must be a JSON object");
    else {
      userId = idValue(context.user_id, "context.user_id", fail);
      sessionId = idValue(context.session_id, "context.session_id", fail);
      // After the ids, so a bad user_id is reported once, by the rule that names it.
      const problem = errors.length === before ? jsonValueProblem(context, "context") : null;
      if (problem) fail(problem.field, problem.message);
    }
  }
  const id = idValue(item.id, "id", fail);
  if (errors.length !== before) return null;
  return {
    name: item.event as string,
    namespace: namespace as string | null,
    tsMs: tsMs!,
    id,
    userId,
    sessionId,
    visitorId: null,
    properties: properties === null ? null : JSON.stringify(properties),
    context: context === null ? null : JSON.stringify(context),
  };
}

const optional = (x: unknown) => (x === undefined ? null : x);

/** An identifier (event id, user id, session id): a non-empty string of at most 200 characters. */
function idValue(raw: unknown, field: string, fail: (field: string, message: string) => void): string | null {
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== "string") return fail(field, `${field} must be a string`), null;
  if (raw.length === 0 || raw.length > MAX_NAME) return fail(field, `${field} must be 1–${MAX_NAME} characters`), null;
  const problem = textProblem(raw, field);
  if (problem) return fail(field, problem), null;
  return raw;
}
