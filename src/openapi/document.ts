import { SESSION_COOKIE } from "../auth/session";
import { jsonSchemaOf, namedSchemas, type JsonSchema } from "./json-schema";
import type { Auth, OperationDoc, ParamDoc } from "./operation";
import { OPERATIONS } from "./operations";

/**
 * The OpenAPI 3.1 document, built from the router's own route table (every `/api` route, so a
 * route any area adds is listed without touching this file) and the operation table (what a
 * route says beyond its method and path). Request schemas are the valibot schemas the server
 * validates with, converted (src/openapi/json-schema.ts).
 */
export type RouteEntry = { method: string; path: string };
type Json = Record<string, unknown>;

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
const SCHEME: Record<Exclude<Auth, "public">, string> = { ingest: "ingestKey", read: "readKey", manage: "manageKey", session: "session" };
const GENERIC_AUTH: Auth[] = ["ingest", "read", "manage", "session"];

/** The routes the document lists: every `/api` route, and any other route the table describes. */
export function documentedRoutes(routes: RouteEntry[]): RouteEntry[] {
  const seen = new Map<string, RouteEntry>();
  for (const r of routes) {
    if (!METHODS.has(r.method)) continue; // ALL = middleware
    if (!r.path.startsWith("/api/") && !OPERATIONS[`${r.method} ${r.path}`]) continue;
    seen.set(`${r.method} ${r.path}`, r);
  }
  return [...seen.values()];
}

/** Hono's `/a/:id{[0-9]+}/b/*` as OpenAPI's `/a/{id}/b/{path}`, with the parameter names. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const out = path
    .split("/")
    .map((seg) => {
      const m = /^:(\w+)(\{.*\})?\??$/.exec(seg);
      if (m) return params.push(m[1]!), `{${m[1]}}`;
      if (seg === "*") return params.push("path"), "{path}";
      return seg;
    })
    .join("/");
  return { path: out, params };
}

export function buildOpenApi(routes: RouteEntry[], opts: { serverUrl: string }): Json {
  const paths: Record<string, Json> = {};
  const tags = new Set<string>();
  for (const route of documentedRoutes(routes).sort((a, b) => a.path.localeCompare(b.path))) {
    const { path, params } = openApiPath(route.path);
    const doc = OPERATIONS[`${route.method} ${route.path}`];
    const op = doc ? described(route, doc, params) : generic(route, path, params);
    tags.add(op.tags[0]!);
    (paths[path] ??= {})[route.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: {
      title: "LiteKPI API",
      version: "1",
      description: "Send metric points and product events, query them, export and erase. Every non-2xx answer has one shape: { error, message, field?, errors? }.",
    },
    servers: [{ url: opts.serverUrl }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        ingestKey: { type: "http", scheme: "bearer", description: "An API key with the ingest scope (lk_…): Authorization: Bearer <key>." },
        readKey: { type: "http", scheme: "bearer", description: "An API key with the read scope." },
        manageKey: { type: "http", scheme: "bearer", description: "An API key with the manage scope (manage also reads)." },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "A signed-in member's session (the web app); such requests name the product." },
      },
      schemas: { ...namedSchemas(), ...ERROR_SCHEMAS },
      responses: {
        Error: { description: "Any error: 401 missing or bad key, 403 wrong scope, 404 not found (or another tenant's), 429 rate limited, …", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
    },
  };
}

type Operation = Json & { tags: string[] };

function described(route: RouteEntry, doc: OperationDoc, params: string[]): Operation {
  const op: Operation = {
    tags: [doc.tag],
    summary: doc.summary,
    operationId: operationId(route),
    ...(doc.description ? { description: doc.description } : {}),
    security: security(doc.auth),
    parameters: [
      ...params.map((name) => ({ name, in: "path", required: true, description: doc.pathParams?.[name] ?? name, schema: { type: "string" } })),
      ...(doc.query ?? []).map((p) => param(p, "query")),
      ...(doc.headers ?? []).map((p) => param(p, "header")),
    ],
    responses: responses(doc),
  };
  if (doc.body) {
    const schema = jsonSchemaOf(doc.body.schema) as Json;
    if (doc.body.extraProperties && schema.properties) schema.properties = { ...(schema.properties as Json), ...doc.body.extraProperties };
    op.requestBody = {
      required: true,
      content: Object.fromEntries((doc.body.contentTypes ?? ["application/json"]).map((t) => [t, { schema, example: doc.body!.example }])),
    };
  }
  return op;
}

/** A route nobody described yet: what the router knows, generic auth, JSON in and out. */
function generic(route: RouteEntry, path: string, params: string[]): Operation {
  const area = path.split("/").filter((s) => s && s !== "api" && !/^v\d+$/.test(s))[0] ?? "api";
  const op: Operation = {
    tags: [area.charAt(0).toUpperCase() + area.slice(1)],
    summary: `${route.method} ${path}`,
    operationId: operationId(route),
    security: security(GENERIC_AUTH),
    parameters: params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })),
    responses: { "200": { description: "Success (JSON)", content: { "application/json": { schema: {} } } }, default: { $ref: "#/components/responses/Error" } },
  };
  if (route.method !== "GET" && route.method !== "HEAD" && route.method !== "DELETE") {
    op.requestBody = { required: false, content: { "application/json": { schema: { type: "object" } } } };
  }
  return op;
}

function param(p: ParamDoc, where: "query" | "header") {
  return { name: p.name, in: where, required: p.required ?? false, description: p.description, schema: p.schema ?? { type: "string" }, ...(p.example === undefined ? {} : { example: p.example }) };
}

function responses(doc: OperationDoc): Json {
  const out: Json = {};
  for (const [status, r] of Object.entries(doc.responses)) {
    const media: Json = { schema: r.schema ?? {} };
    if (r.example !== undefined) media.example = r.example;
    out[status] = {
      description: r.description,
      content: { [r.contentType ?? "application/json"]: media },
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) } : {}),
    };
  }
  out.default = { $ref: "#/components/responses/Error" };
  return out;
}

/** Any one scheme is enough (OpenAPI: alternatives are separate requirement objects); public = none. */
function security(auth: Auth[]): Json[] {
  if (auth.includes("public")) return [];
  return auth.map((a) => ({ [SCHEME[a as Exclude<Auth, "public">]]: [] }));
}

function operationId(route: RouteEntry): string {
  const words = route.path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join("");
}

const ERROR_SCHEMAS: Record<string, JsonSchema> = {
  Error: {
    type: "object",
    description: "The one error shape of every non-2xx answer.",
    properties: {
      error: { type: "string", description: "snake_case code", examples: ["invalid_points", "unauthorized", "not_found", "rate_limited"] },
      message: { type: "string" },
      field: { type: "string", description: "The field a single-field error is about" },
      errors: { type: "array", items: { $ref: "#/components/schemas/ItemError" } },
    },
    required: ["error", "message"],
  },
  ItemError: {
    type: "object",
    properties: { index: { type: ["integer", "null"], description: "The item's position in the batch; null for a fault of the whole body" }, field: { type: ["string", "null"] }, message: { type: "string" } },
    required: ["index", "field", "message"],
  },
};
