import type { Fragment } from "../sql";

/**
 * Field references of the events planner: what `filter.properties`, `groupBy` and
 * `aggregationField` name, and the SQL that reads each from an `events` row (alias `e`).
 *
 * - `user_id`, `session_id`, `visitor_id` are columns (filled from context at ingest, indexed);
 *   `event` and `namespace` are columns too.
 * - `org_id`, `service`, `source`, `version`, `request_id` are read from `context` (seed 002's
 *   context fields), every other bare name from `properties`.
 * - `properties.<name>` / `context.<name>` say where explicitly (a property called `org_id`, a
 *   custom context field); dots after that walk into nested objects.
 *
 * Names are checked against FIELD (no quotes, no `$`), and JSON paths travel as bound
 * parameters, so nothing from a query is spliced into SQL text.
 */
export const FIELD = /^[A-Za-z0-9_:-]{1,64}(\.[A-Za-z0-9_:-]{1,64}){0,4}$/;

const COLUMNS = { user_id: "e.user_id", session_id: "e.session_id", visitor_id: "e.visitor_id", event: "e.name", namespace: "e.namespace" } as const;
export const CONTEXT_FIELDS = new Set(["org_id", "service", "source", "version", "request_id"]);

export type FieldRef =
  | { kind: "column"; name: string; column: string }
  | { kind: "json"; name: string; doc: "properties" | "context"; path: string; segments: string[] };

export function fieldRef(name: string): FieldRef {
  if (Object.hasOwn(COLUMNS, name)) return { kind: "column", name, column: COLUMNS[name as keyof typeof COLUMNS] };
  const parts = name.split(".");
  let doc: "properties" | "context" = CONTEXT_FIELDS.has(parts[0]!) ? "context" : "properties";
  if (parts.length > 1 && (parts[0] === "properties" || parts[0] === "context")) doc = parts.shift() as typeof doc;
  // `$."a"."b"`: quoted labels, so `-` and `:` in a key mean themselves.
  return { kind: "json", name, doc, path: "$" + parts.map((p) => `."${p}"`).join(""), segments: parts };
}

/**
 * The field's value for counting, `distinct` and grouping: a column as itself (no JSON work; an
 * index can serve it), a JSON field as its JSON text (`"pro"`, `42`, `true`) so the string "1"
 * and the number 1 stay two values, as they are in the events. NULL when absent or JSON null.
 */
export function valueSql(f: FieldRef): Fragment {
  if (f.kind === "column") return { sql: f.column, params: [] };
  return { sql: `NULLIF(e.${f.doc} -> ?, 'null')`, params: [f.path] };
}

/** A value valueSql read, back in JS: columns are strings, JSON text is parsed. */
export function decodeValue(f: FieldRef, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  return f.kind === "column" ? raw : JSON.parse(raw as string);
}

/** The field as a number, or NULL when it is not a JSON number (strings and booleans never add up). */
export function numberSql(f: FieldRef): Fragment {
  if (f.kind === "column") return { sql: "NULL", params: [] };
  return { sql: `CASE WHEN json_type(e.${f.doc}, ?) IN ('integer', 'real') THEN e.${f.doc} ->> ? END`, params: [f.path, f.path] };
}

export type Scalar = string | number | boolean;

/** The field equals one of `values` (JSON equality: the string "1" is not the number 1). */
export function matchSql(f: FieldRef, values: Scalar[]): Fragment {
  if (f.kind === "column") {
    const strings = values.filter((x): x is string => typeof x === "string");
    if (!strings.length) return { sql: "0", params: [] };
    return { sql: `${f.column} IN (${strings.map(() => "?").join(", ")})`, params: strings };
  }
  return { sql: `(e.${f.doc} -> ?) IN (${values.map(() => "?").join(", ")})`, params: [f.path, ...values.map((x) => JSON.stringify(x))] };
}

/** Reads a field of a stored event in JS (the explorer's search and the tests' naive reference share this meaning). */
export function readField(f: FieldRef, e: { name: string; namespace: string | null; userId: string | null; sessionId: string | null; visitorId: string | null; properties: unknown; context: unknown }): unknown {
  if (f.kind === "column") {
    const v = { user_id: e.userId, session_id: e.sessionId, visitor_id: e.visitorId, event: e.name, namespace: e.namespace }[f.name as keyof typeof COLUMNS];
    return v ?? undefined;
  }
  let cur: unknown = f.doc === "properties" ? e.properties : e.context;
  for (const s of f.segments) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur) || !Object.hasOwn(cur, s)) return undefined;
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur === null ? undefined : cur;
}
