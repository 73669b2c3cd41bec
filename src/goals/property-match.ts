import * as v from "valibot";

/**
 * `{ "plan": "pro", "variant": ["a", "b"] }`: each key must match one of its values, in the
 * event's properties or, when the properties lack the key, its context (`user_id`, `org_id`, …) —
 * the same reading as `metrics/query`'s `filter.properties` (DESIGN.md).
 */
export type PropertyValue = string | number | boolean;
export type PropertyMatch = Record<string, PropertyValue | PropertyValue[]>;

// A key becomes a JSON path `$."key"`: quotes and backslashes would end it early.
const PROPERTY_KEY = /^[^"\\\u0000-\u001f]{1,64}$/;
const Value = v.union([v.pipe(v.string(), v.maxLength(500)), v.pipe(v.number(), v.finite()), v.boolean()], "a property value is a string, a number or true/false");

export const PropertyMatchSchema = v.pipe(
  v.record(
    v.pipe(v.string(), v.regex(PROPERTY_KEY, "a property name is 1–64 characters without quotes, backslashes or control characters")),
    v.union([Value, v.pipe(v.array(Value), v.minLength(1, "give at least one value"), v.maxLength(100, "at most 100 values"))], "a property value, or a list of them"),
    "properties is an object of property → value",
  ),
  v.check((m) => Object.keys(m).length <= 10, "at most 10 properties"),
);

const jsonPath = (key: string) => `$."${key}"`;

/** SQL over the events table's `properties`/`context` JSON columns; values bound, never spliced. */
export function propertyMatchSql(match: PropertyMatch | null | undefined): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  for (const [key, want] of Object.entries(match ?? {})) {
    const values = Array.isArray(want) ? want : [want];
    // json_extract gives 1/0 for JSON true/false.
    const bound = values.map((x) => (typeof x === "boolean" ? Number(x) : x));
    parts.push(`COALESCE(json_extract(properties, ?), json_extract(context, ?)) IN (${bound.map(() => "?").join(", ")})`);
    params.push(jsonPath(key), jsonPath(key), ...bound);
  }
  return { sql: parts.length ? parts.join(" AND ") : "1", params };
}
