/**
 * Name rules (DESIGN.md, Settled details). Each check answers a problem to report, or null.
 * Metric: 1–200 characters, no control characters, no surrounding spaces; `event:` is reserved
 * for events. Tag key: 1–64 of letters, digits and `_ . - :`, not a point field name. Tag value:
 * 1–200 characters without control characters.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SURROUNDING_SPACE = /^\s|\s$/;
const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const RESERVED_TAG_KEYS = new Set(["timestamp", "metric", "value"]);
export const EVENT_METRIC_PREFIX = "event:";
export const MAX_NAME = 200;
export const MAX_TAGS = 20;

/** Length in characters (code points), counting only when UTF-16 length could be over `max`. */
const tooLong = (s: string, max: number) => s.length > max && [...s].length > max;

/** A name (metric, event, namespace): the shared part of the rules. */
export function nameProblem(s: unknown, what: string): string | null {
  if (typeof s !== "string") return `${what} must be a string`;
  if (s.length === 0) return `${what} must not be empty`;
  if (tooLong(s, MAX_NAME)) return `${what} must be at most ${MAX_NAME} characters`;
  if (CONTROL.test(s)) return `${what} must not contain control characters`;
  if (SURROUNDING_SPACE.test(s)) return `${what} must not start or end with a space`;
  return null;
}

export function metricProblem(s: unknown): string | null {
  const p = nameProblem(s, "metric");
  if (p) return p;
  if ((s as string).startsWith(EVENT_METRIC_PREFIX)) return `metric names starting with "${EVENT_METRIC_PREFIX}" are reserved for events (send them to /api/v1/events)`;
  return null;
}

export function tagKeyProblem(k: string): string | null {
  if (!TAG_KEY.test(k)) return "tag keys must be 1–64 letters, digits, or _ . - :";
  if (RESERVED_TAG_KEYS.has(k)) return `"${k}" is reserved and cannot be a tag key`;
  // JSON.parse makes "__proto__" an own key; copied into a plain object it would set the prototype.
  if (k === "__proto__") return `"__proto__" cannot be a tag key`;
  return null;
}

export function tagValueProblem(v: unknown): string | null {
  if (typeof v !== "string") return "tag values must be strings (tags are flat: string → string)";
  if (v.length === 0) return "tag values must not be empty";
  if (tooLong(v, MAX_NAME)) return `tag values must be at most ${MAX_NAME} characters`;
  if (CONTROL.test(v)) return "tag values must not contain control characters";
  return null;
}

/** A plain JSON object (not null, not an array). */
export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
