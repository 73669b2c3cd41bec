import * as v from "valibot";
import type { Db } from "../db/connection";
import type { ItemError } from "../lib/errors";
import { nameProblem } from "../lib/names";
import { invalid, parseWith } from "../query/events/parse";
import { eventsReaderFor } from "../storage";
import type { EventRecord } from "../writer/batch";

/**
 * Namespace schemas (seed 002 §4.5): a namespace may declare its events' properties — each a
 * JSON type, optionally required — and whether other properties are allowed. With `enforced`,
 * ingestion refuses an event of that namespace that breaks it, naming the field (the same
 * 400 invalid_events, or left out under ?partial=1). Control plane: written with `db`.
 */
const TYPES = ["string", "number", "boolean", "object", "array"] as const;
const Key = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/, "property names are 1–64 letters, digits or _ . : -"));
export const NamespaceSchemaSchema = v.strictObject(
  {
    properties: v.pipe(v.record(Key, v.strictObject({ type: v.picklist(TYPES, `type is one of ${TYPES.join(", ")}`), required: v.optional(v.boolean()) })), v.check((p) => Object.keys(p).length <= 200, "at most 200 properties")),
    additionalProperties: v.optional(v.boolean()),
    enforced: v.optional(v.boolean()),
  },
  "a namespace schema is { properties: { <name>: { type, required? } }, additionalProperties?, enforced? }",
);
export type NamespaceSchema = v.InferOutput<typeof NamespaceSchemaSchema>;

export function setNamespaceSchema(db: Db, productId: string, namespace: string, raw: unknown, now: number): NamespaceSchema & { namespace: string } {
  const problem = nameProblem(namespace, "namespace");
  if (problem) throw invalid("namespace", problem);
  const s = parseWith(NamespaceSchemaSchema, raw);
  db.$client
    .query(
      `INSERT INTO namespace_schemas (product_id, namespace, schema, enforced, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (product_id, namespace) DO UPDATE SET schema = excluded.schema, enforced = excluded.enforced, updated_at = excluded.updated_at`,
    )
    .run(productId, namespace, JSON.stringify({ properties: s.properties, additionalProperties: s.additionalProperties ?? true }), s.enforced === false ? 0 : 1, now);
  return { namespace, ...s, enforced: s.enforced !== false };
}

export function listNamespaces(db: Db, productId: string) {
  const schemas = db.$client.query("SELECT namespace, schema, enforced FROM namespace_schemas WHERE product_id = ?").all(productId) as { namespace: string; schema: string; enforced: number }[];
  const declared = new Map(schemas.map((s) => [s.namespace, s]));
  // The namespaces events use (from the data plane) and those with a schema, in byte order as SQLite sorts text.
  const names = [...new Set([...eventsReaderFor(db.$client).namespaces(productId, LIST_LIMIT), ...declared.keys()])];
  names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return names.slice(0, LIST_LIMIT).map((namespace) => {
    const s = declared.get(namespace);
    return { namespace, schema: s ? JSON.parse(s.schema) : null, enforced: s?.enforced === 1 };
  });
}

const LIST_LIMIT = 1000;

/** The enforced schemas of the namespaces among `events` (one indexed read per request that names any). */
function enforcedSchemas(db: Db, productId: string, namespaces: string[]): Map<string, NamespaceSchema> {
  if (!namespaces.length) return new Map();
  const rows = db.$client
    .query("SELECT namespace, schema FROM namespace_schemas WHERE product_id = ? AND enforced = 1 AND namespace IN (SELECT value FROM json_each(?))")
    .all(productId, JSON.stringify(namespaces)) as { namespace: string; schema: string }[];
  return new Map(rows.map((r) => [r.namespace, JSON.parse(r.schema) as NamespaceSchema]));
}

const typeOf = (x: unknown) => (x === null ? "null" : Array.isArray(x) ? "array" : typeof x);

/** Per-item errors of events that break their namespace's enforced schema (index = position in the request). */
export function schemaErrors(db: Db, productId: string, events: { index: number; event: EventRecord }[]): ItemError[] {
  const schemas = enforcedSchemas(db, productId, [...new Set(events.map((e) => e.event.namespace).filter((n): n is string => n !== null))]);
  if (!schemas.size) return [];
  const errors: ItemError[] = [];
  for (const { index, event } of events) {
    const s = event.namespace === null ? undefined : schemas.get(event.namespace);
    if (!s) continue;
    const props = (event.properties ? JSON.parse(event.properties) : {}) as Record<string, unknown>;
    for (const [k, rule] of Object.entries(s.properties)) {
      if (!Object.hasOwn(props, k)) {
        if (rule.required) errors.push({ index, field: `properties.${k}`, message: `namespace "${event.namespace}" requires properties.${k} (${rule.type})` });
      } else if (typeOf(props[k]) !== rule.type) errors.push({ index, field: `properties.${k}`, message: `namespace "${event.namespace}" declares properties.${k} as ${rule.type}, not ${typeOf(props[k])}` });
    }
    if (s.additionalProperties === false) {
      for (const k of Object.keys(props)) if (!Object.hasOwn(s.properties, k)) errors.push({ index, field: `properties.${k}`, message: `namespace "${event.namespace}" does not declare properties.${k}` });
    }
  }
  return errors;
}
