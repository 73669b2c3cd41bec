import type * as v from "valibot";
import type { JsonSchema } from "./json-schema";

/**
 * What the document says about one route beyond what the router knows (method, path, params).
 * Keyed by `METHOD /path` exactly as the route is registered; a route without an entry is still
 * listed, with its parameters, a generic auth and the error shape (src/openapi/document.ts).
 */
export type Auth = "ingest" | "read" | "manage" | "session" | "public";

export type ParamDoc = { name: string; description: string; required?: boolean; schema?: JsonSchema; example?: unknown };

export type ResponseDoc = {
  description: string;
  /** JSON body schema; `contentType` for anything else (CSV). */
  schema?: JsonSchema;
  contentType?: string;
  example?: unknown;
  headers?: Record<string, string>;
};

export type OperationDoc = {
  tag: string;
  summary: string;
  description?: string;
  /** Any one of these is enough. */
  auth: Auth[];
  pathParams?: Record<string, string>;
  query?: ParamDoc[];
  headers?: ParamDoc[];
  body?: {
    /** The valibot schema the server validates with (or describes its hand parser with). */
    schema: v.GenericSchema;
    /** Extra top-level properties the route reads before validating (e.g. `product`). */
    extraProperties?: Record<string, JsonSchema>;
    contentTypes?: string[];
    example: unknown;
  };
  responses: Record<string, ResponseDoc>;
};

export type OperationTable = Record<string, OperationDoc>;
