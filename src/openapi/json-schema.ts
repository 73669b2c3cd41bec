import type * as v from "valibot";
import { toJsonSchema, type ConversionConfig, type JsonSchema } from "@valibot/to-json-schema";
import { EventSchema, PointSchema } from "../ingest/schemas";

export type { JsonSchema };

/**
 * valibot → JSON Schema 2020-12 (what OpenAPI 3.1 uses). Rules that JSON Schema cannot state
 * (our rawChecks: the parsers' own rule functions; `finite`) are skipped here: each schema
 * carries their JSON Schema equivalent and wording in its metadata (src/ingest/schemas.ts).
 * Named schemas become `#/components/schemas/<Name>` references.
 */
const NAMED = { Point: PointSchema, Event: EventSchema } as const;

const config: ConversionConfig = {
  target: "draft-2020-12",
  errorMode: "ignore",
  ignoreActions: ["raw_check", "check", "finite", "trim", "to_lower_case"],
  definitions: NAMED,
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

export function jsonSchemaOf(schema: v.GenericSchema): JsonSchema {
  const out = toJsonSchema(schema, config) as JsonSchema & { $schema?: string; $defs?: unknown };
  delete out.$schema; // the document's jsonSchemaDialect says it once
  delete out.$defs; // the named ones are components
  return out;
}

/** The named schemas as components (each converted whole, not as a reference to itself). */
export function namedSchemas(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(NAMED)) {
    const { definitions: _d, ...standalone } = config;
    const s = toJsonSchema(schema, { ...standalone, definitions: Object.fromEntries(Object.entries(NAMED).filter(([n]) => n !== name)) }) as JsonSchema & { $schema?: string; $defs?: unknown };
    delete s.$schema;
    delete s.$defs;
    out[name] = s;
  }
  return out;
}
