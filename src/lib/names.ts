import * as v from "valibot";

/**
 * THE name rules (DESIGN.md, Settled details), imported by ingest, query and widget config, and
 * by every form that names something (product, dashboard, widget, key, person).
 * Metric: 1–200 characters, no control characters, no surrounding spaces; `event:` is reserved
 * for events. Tag key: 1–64 of letters, digits and `_ . - :`, not a point field name. Tag value:
 * 1–200 characters without control characters. Every string must be well-formed UTF-16: a lone
 * surrogate would be stored as U+FFFD, silently changing the name.
 * The `…Problem` checks are the hot path of ingestion (no allocation unless a string is long).
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const SURROUNDING_SPACE = /^\s|\s$/;
export const TAG_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;
const RESERVED_TAG_KEYS = new Set(["timestamp", "metric", "value"]);
export const EVENT_METRIC_PREFIX = "event:";
export const MAX_NAME = 200;
export const MAX_TAGS = 20;
export const LONE_SURROGATE = "must be valid Unicode (it contains a lone UTF-16 surrogate)";
const TAG_KEY_RULE = "tag keys must be 1–64 letters, digits, or _ . - :";

/** Length in characters (code points), counting only when UTF-16 length could be over `max`. */
const tooLong = (s: string, max: number) => s.length > max && [...s].length > max;

/** Control characters (CR/LF reach mail headers and logs) or a lone surrogate: a problem, or null. */
export function textProblem(s: string, what: string): string | null {
  if (CONTROL.test(s)) return `${what} must not contain control characters`;
  if (!s.isWellFormed()) return `${what} ${LONE_SURROGATE}`;
  return null;
}

/** A name (metric, event, namespace): the shared part of the rules. */
export function nameProblem(s: unknown, what: string): string | null {
  if (typeof s !== "string") return `${what} must be a string`;
  if (s.length === 0) return `${what} must not be empty`;
  if (tooLong(s, MAX_NAME)) return `${what} must be at most ${MAX_NAME} characters`;
  const text = textProblem(s, what);
  if (text) return text;
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
  if (!TAG_KEY.test(k)) return TAG_KEY_RULE;
  if (RESERVED_TAG_KEYS.has(k)) return `"${k}" is reserved and cannot be a tag key`;
  // JSON.parse makes "__proto__" an own key; copied into a plain object it would set the prototype.
  if (k === "__proto__") return `"__proto__" cannot be a tag key`;
  return null;
}

export function tagValueProblem(v: unknown): string | null {
  if (typeof v !== "string") return "tag values must be strings (tags are flat: string → string)";
  if (v.length === 0) return "tag values must not be empty";
  if (tooLong(v, MAX_NAME)) return `tag values must be at most ${MAX_NAME} characters`;
  return textProblem(v, "tag values");
}

/**
 * The first value in parsed JSON that would not be stored as sent: a number JSON.parse turned
 * into ±Infinity (`1e309`; JSON.stringify writes null) or a string or key with a lone surrogate
 * (SQLite's UTF-8 gets U+FFFD). Answers the dotted path under `field` and the reason, or null.
 * Breadth-first over reused arrays, not recursion: a 1 MB body can nest far deeper than the stack.
 */
const walkValues: unknown[] = [];
const walkKeys: (string | number)[] = [];
const walkParents: number[] = [];

export function jsonValueProblem(root: unknown, field: string): { field: string; message: string } | null {
  if (root === null || (typeof root !== "object" && typeof root !== "number" && typeof root !== "string")) return null;
  walkValues.push(root);
  walkKeys.push(field);
  walkParents.push(-1);
  let found: { at: number; message: string } | null = null;
  for (let i = 0; i < walkValues.length && !found; i++) {
    const x = walkValues[i];
    if (typeof x === "number") {
      if (!Number.isFinite(x)) found = { at: i, message: "numbers must be finite (a value like 1e309 overflows to Infinity, which JSON cannot store)" };
    } else if (typeof x === "string") {
      if (!x.isWellFormed()) found = { at: i, message: `strings ${LONE_SURROGATE}` };
    } else if (Array.isArray(x)) {
      for (let j = 0; j < x.length; j++) walkValues.push(x[j]), walkKeys.push(j), walkParents.push(i);
    } else if (x !== null && typeof x === "object") {
      for (const k in x) {
        if (!k.isWellFormed()) {
          found = { at: i, message: `keys ${LONE_SURROGATE}` };
          break;
        }
        walkValues.push((x as Record<string, unknown>)[k]), walkKeys.push(k), walkParents.push(i);
      }
    }
  }
  let path = "";
  for (let i = found ? found.at : -1; i >= 0; i = walkParents[i]!) path = path ? `${walkKeys[i]}.${path}` : String(walkKeys[i]);
  walkValues.length = walkKeys.length = walkParents.length = 0;
  return found ? { field: path, message: found.message } : null;
}

/** A plain JSON object (not null, not an array). */
export const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

// ── the same rules as valibot schemas, for query bodies and widget config (not the hot path) ──

/** A tag key in a filter or groupBy. Reserved point fields are allowed here: they match nothing. */
export const TagKeySchema = v.pipe(
  v.string("tag keys are strings"),
  v.regex(TAG_KEY, TAG_KEY_RULE),
  v.check((k) => k !== "__proto__", TAG_KEY_RULE),
);
export const TagValueSchema = v.pipe(
  v.string("tag values are strings"),
  v.minLength(1, "tag values must not be empty"),
  v.maxLength(MAX_NAME, `tag values must be at most ${MAX_NAME} characters`),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? textProblem(dataset.value, "tag values") : null;
    if (problem) addIssue({ message: problem });
  }),
);

/** A metric a query or widget reads (events' `event:<name>` included, so not metricProblem). */
export const MetricRefSchema = (required: string) =>
  v.pipe(v.string(required), v.minLength(1, required), v.maxLength(MAX_NAME, `metric is at most ${MAX_NAME} characters`));

/**
 * What people type to name a thing (product, dashboard, widget title, key, person): trimmed, at
 * most `max` characters, no control characters (a product name reached a mail Subject with its
 * CR/LF), well-formed. `required: false` lets an empty value through (a default fills it).
 */
export function displayNameSchema(max: number, opts: { required?: boolean } = {}) {
  return v.pipe(
    v.string("Name is required"),
    v.trim(),
    v.check((s) => opts.required === false || s.length > 0, "Name is required"),
    v.maxLength(max, `Use at most ${max} characters`),
    v.check((s) => !CONTROL.test(s), "Use letters, digits and punctuation only: no line breaks, tabs or control characters"),
    v.check((s) => s.isWellFormed(), "This name contains an invalid character (a lone surrogate); retype it"),
  );
}

/** A name we did not type (an OAuth profile's): control characters become spaces, then trimmed and cut. */
export const cleanDisplayName = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").toWellFormed().trim().slice(0, max);
