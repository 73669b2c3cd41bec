import * as v from "valibot";
import { isObject, jsonValueProblem, MAX_NAME, MAX_TAGS, metricProblem, nameProblem, tagKeyProblem, tagValueProblem, textProblem } from "../lib/names";
import { parseRfc3339, RFC3339_HINT } from "../lib/time/rfc3339";
import { MAX_ITEMS } from "./payload";

/**
 * The points and events bodies as valibot schemas: what the OpenAPI document publishes, and what
 * the hand-written parsers (payload.ts, events-payload.ts; hand-written for speed) accept. Each
 * rule is the parser's own rule function (`metricProblem`, `tagKeyProblem`, …) in a rawCheck, so
 * the two cannot drift apart; the JSON Schema equivalent of a rawCheck rides along in metadata
 * (JSON Schema cannot say "no lone surrogates" or "finite", so those live in descriptions).
 * test/openapi/ingest-schemas.test.ts runs the ingest tests' bad bodies through both.
 */
const FUTURE_LIMIT_MS = 24 * 3_600_000;
const CONTROL_FREE = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/** A rawCheck that reports the parser's own problem text, or nothing. */
const rule = <T>(problem: (value: T) => string | null) =>
  v.rawCheck<T>(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const p = problem(dataset.value);
    if (p) addIssue({ message: p });
  });

/**
 * A JSON object (valibot's objects also take arrays, the parsers do not) with these entries. With
 * `noun`, no other own key: checked on the input itself, before valibot copies it, because
 * JSON.parse makes `__proto__` an own key and `"__proto__" in entries` is true for any object.
 */
const objectOf = <E extends v.ObjectEntries>(entries: E, message: string, noun?: string) =>
  v.pipe(
    v.custom<Record<string, unknown>>(isObject, message),
    rule<Record<string, unknown>>((o) => {
      if (!noun) return null;
      const allowed = Object.keys(entries);
      const extra = Object.keys(o).find((k) => !allowed.includes(k));
      return extra === undefined ? null : `unknown field "${extra}" (a ${noun} has ${allowed.join(", ")})`;
    }),
    v.looseObject(entries, message),
  );

const nameSchema = (what: string, description: string, examples: string[]) =>
  v.pipe(
    v.string(`${what} must be a string`),
    rule<string>((s) => nameProblem(s, what)),
    v.metadata({ description, examples, minLength: 1, maxLength: MAX_NAME, pattern: "^(?!\\s)[^\\u0000-\\u001f\\u007f-\\u009f]*(?<!\\s)$" }),
  );

const Timestamp = v.nullish(
  v.pipe(
    v.string(`timestamp must be ${RFC3339_HINT}; numbers are refused`),
    rule<string>((s) => {
      const ms = parseRfc3339(s);
      if (ms === undefined) return `timestamp must be ${RFC3339_HINT}`;
      return ms > Date.now() + FUTURE_LIMIT_MS ? "timestamp is more than 24 hours in the future" : null;
    }),
    v.metadata({
      description: `${RFC3339_HINT}; at most 24 hours ahead. Absent or null: the time the server receives it. Date-only strings and numbers are refused.`,
      examples: ["2026-03-08T14:30:00Z", "2026-03-08T15:30:00+01:00"],
      pattern: "^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?([Zz]|[+-]\\d{2}:\\d{2})?$",
    }),
  ),
);

const Tags = v.nullish(
  v.pipe(
    v.custom<Record<string, unknown>>(isObject, "tags must be an object of string → string"),
    rule<Record<string, unknown>>((tags) => {
      const keys = Object.keys(tags);
      if (keys.length > MAX_TAGS) return `at most ${MAX_TAGS} tags per point (got ${keys.length})`;
      for (const k of keys) {
        const p = tagKeyProblem(k) ?? tagValueProblem(tags[k]);
        if (p) return `tags.${k}: ${p}`;
      }
      return null;
    }),
    v.metadata({
      description: `Flat string → string, at most ${MAX_TAGS}. Keys: 1–64 letters, digits or _ . - : (not timestamp, metric or value); values: 1–${MAX_NAME} characters, no control characters.`,
      examples: [{ plan: "pro", region: "eu" }],
      type: "object",
      maxProperties: MAX_TAGS,
      propertyNames: { pattern: "^[A-Za-z0-9_.:-]{1,64}$", not: { enum: ["timestamp", "metric", "value", "__proto__"] } },
      additionalProperties: { type: "string", minLength: 1, maxLength: MAX_NAME, pattern: CONTROL_FREE },
    }),
  ),
);

export const PointSchema = v.pipe(
  objectOf(
    {
      metric: v.pipe(
        v.string("metric must be a string"),
        rule<string>(metricProblem),
        v.metadata({
          description: `1–${MAX_NAME} characters, no control characters, no surrounding spaces; the prefix "event:" is reserved for events.`,
          examples: ["signups", "revenue.mrr"],
          minLength: 1,
          maxLength: MAX_NAME,
          pattern: "^(?!event:)(?!\\s)[^\\u0000-\\u001f\\u007f-\\u009f]*(?<!\\s)$",
        }),
      ),
      value: v.pipe(v.number("value must be a JSON number"), v.finite("value must be a finite number"), v.metadata({ description: "A finite number.", examples: [1, 49.5] })),
      timestamp: Timestamp,
      tags: Tags,
    },
    "each point must be a JSON object",
    "point",
  ),
  v.metadata({ title: "Point", additionalProperties: false, examples: [{ metric: "signups", value: 1, tags: { plan: "pro" } }] }),
);

/** An identifier (event id, user id, session id): 1–200 UTF-16 code units, no control characters. */
const idSchema = (field: string, description: string) =>
  v.nullish(
    v.pipe(
      v.string(`${field} must be a string`),
      rule<string>((s) => (s.length === 0 || s.length > MAX_NAME ? `${field} must be 1–${MAX_NAME} characters` : textProblem(s, field))),
      v.metadata({ description, minLength: 1, maxLength: MAX_NAME, pattern: CONTROL_FREE }),
    ),
  );

const jsonObject = (field: string, description: string, examples: unknown[]) =>
  v.nullish(
    v.pipe(
      v.custom<Record<string, unknown>>(isObject, `${field} must be a JSON object`),
      rule<Record<string, unknown>>((o) => jsonValueProblem(o, field)?.message ?? null),
      v.metadata({ type: "object", description, examples }),
    ),
  );

export const EventSchema = v.pipe(
  objectOf(
    {
      event: nameSchema("event", `The event's name: 1–${MAX_NAME} characters, no control characters, no surrounding spaces. Each stored event adds 1 to the metric "event:<name>".`, ["user_signup"]),
      namespace: v.nullish(nameSchema("namespace", "Groups events (billing, http, …); the same rules as the name.", ["billing"])),
      timestamp: Timestamp,
      properties: jsonObject("properties", "Any JSON object (numbers finite, strings valid Unicode).", [{ plan: "pro", amount: 50 }]),
      context: v.nullish(
        v.pipe(
          objectOf(
            {
              user_id: idSchema("context.user_id", "Stored in its own column (active users, retention, erasure)."),
              session_id: idSchema("context.session_id", "Stored in its own column (sessions)."),
            },
            "context must be a JSON object",
          ),
          rule<Record<string, unknown>>((o) => jsonValueProblem(o, "context")?.message ?? null),
          v.metadata({ description: "Who and where: user_id, session_id, org_id, service, source, or anything else (a JSON object).", examples: [{ user_id: "user_123", org_id: "org_456", service: "api" }] }),
        ),
      ),
      id: idSchema("id", "Your id for the event: an event whose id the product already has is answered as a duplicate and not stored again."),
    },
    "each event must be a JSON object",
    "event",
  ),
  v.metadata({ title: "Event", additionalProperties: false, examples: [{ event: "user_signup", properties: { plan: "pro" }, context: { user_id: "user_123" } }] }),
);

/** One item, an array of at most 1000, or `{ "<wrapper>": [...] }` (and no other key). */
const bodySchema = <T extends v.GenericSchema>(item: T, wrapper: "points" | "events", noun: string) => {
  const list = v.pipe(v.array(item), v.maxLength(MAX_ITEMS, `At most ${MAX_ITEMS} ${noun}s per request; split the batch`));
  const wrapped = v.pipe(objectOf({ [wrapper]: list } as Record<string, typeof list>, `The body must be a JSON object or array of ${noun}s`, "body"), v.metadata({ additionalProperties: false }));
  return v.pipe(
    v.union([wrapped, list, item], `The body must be a JSON object or array of ${noun}s`),
    v.metadata({ description: `One ${noun}, an array of at most ${MAX_ITEMS}, or { "${wrapper}": [...] }. At most 1 MiB, also after Content-Encoding: gzip is inflated.` }),
  );
};

export const PointsBodySchema = bodySchema(PointSchema, "points", "point");
export const EventsBodySchema = bodySchema(EventSchema, "events", "event");
