import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020";
import { createApp } from "../../src/app";
import { buildOpenApi, documentedRoutes, openApiPath } from "../../src/openapi/document";
import { createTestDeps } from "../helpers/deps";
import { badBodies, badEventShapes, badEvents, badPoints, good, goodEvent } from "../ingest/fixtures/bad-bodies";
import { GOOD_EVENTS, GOOD_POINTS } from "./good-bodies";

/**
 * GET /api/v1/openapi.json: a valid OpenAPI 3.1 document that lists every /api route of the
 * router (read from the router, like the cross-tenant walker) and whose ingest request schemas
 * accept and refuse what the server does.
 */
let made: Awaited<ReturnType<typeof createTestDeps>>;
let app: ReturnType<typeof createApp>;
let doc: any;
beforeAll(async () => {
  made = await createTestDeps();
  app = createApp(made.deps);
  const res = await app.request("/api/v1/openapi.json");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/application\/json/);
  doc = await res.json();
});
afterAll(() => made.close());

const validate = async (d: unknown) => {
  const validator = new Validator();
  const result = await validator.validate(d as Parameters<Validator["validate"]>[0]);
  return { ...result, version: validator.version };
};

test("the document validates as OpenAPI 3.1", async () => {
  const r = await validate(doc);
  expect(r.errors ?? []).toEqual([]);
  expect(r.valid).toBe(true);
  expect(r.version).toBe("3.1");
  expect(doc.openapi).toBe("3.1.0");
});

test("every /api route of the router is in the document, with its path parameters and the error response", () => {
  const routes = app.routes.filter((r) => r.path.startsWith("/api/") && r.method !== "ALL");
  expect(routes.map((r) => `${r.method} ${r.path}`)).toContain("POST /api/v1/points");
  expect(new Set(routes.map((r) => r.path)).size).toBeGreaterThanOrEqual(9);
  const missing: string[] = [];
  for (const r of routes) {
    const { path, params } = openApiPath(r.path);
    const op = doc.paths[path]?.[r.method.toLowerCase()];
    if (!op) {
      missing.push(`${r.method} ${r.path}`);
      continue;
    }
    expect(op.parameters.filter((p: any) => p.in === "path").map((p: any) => p.name)).toEqual(params);
    expect(op.responses.default).toEqual({ $ref: "#/components/responses/Error" });
    expect(Array.isArray(op.security)).toBe(true);
  }
  expect(missing).toEqual([]);
  // nothing listed that the router does not have
  const listed = Object.entries(doc.paths).flatMap(([path, item]: any) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  const routed = new Set(documentedRoutes(app.routes).map((r) => `${r.method} ${openApiPath(r.path).path}`));
  expect(listed.filter((x) => !routed.has(x))).toEqual([]);
});

test("a route another area adds is listed without describing it: method, path, params, auth, error shape", async () => {
  const routes = [...app.routes, { method: "PATCH", path: "/api/v1/dashboards/:dashboardId/widgets/:widgetId" }, { method: "ALL", path: "/api/*" }];
  const d = buildOpenApi(routes, { serverUrl: "http://localhost:8080" }) as any;
  const op = d.paths["/api/v1/dashboards/{dashboardId}/widgets/{widgetId}"].patch;
  expect(op.parameters.map((p: any) => [p.name, p.in, p.required])).toEqual([
    ["dashboardId", "path", true],
    ["widgetId", "path", true],
  ]);
  expect(op.security.map((s: any) => Object.keys(s)[0])).toEqual(["ingestKey", "readKey", "manageKey", "session"]);
  expect(op.responses.default).toEqual({ $ref: "#/components/responses/Error" });
  expect(op.tags).toEqual(["Dashboards"]);
  expect(d.paths["/api/*"]).toBeUndefined();
  expect((await validate(d)).valid).toBe(true);
});

test("the ingest operations say what they take: auth, Idempotency-Key, ?partial, the status codes of the contract", () => {
  for (const path of ["/api/v1/points", "/api/v1/events"]) {
    const op = doc.paths[path].post;
    expect(op.security).toEqual([{ ingestKey: [] }]);
    expect(op.parameters.map((p: any) => `${p.in}:${p.name}`)).toEqual(["query:partial", "header:Idempotency-Key", "header:Content-Encoding"]);
    expect(Object.keys(op.responses)).toEqual(["200", "207", "400", "401", "403", "413", "415", "422", "429", "default"]);
    expect(op.requestBody.content["application/json"].example).toBeDefined();
  }
  expect(doc.components.schemas.Point.required).toEqual(["metric", "value"]);
  expect(doc.components.schemas.Event.required).toEqual(["event"]);
  expect(doc.paths["/api/v1/query"].post.requestBody.content["application/json"].schema.required).toEqual(["metric", "aggregation"]);
  expect(doc.paths["/api/v1/openapi.json"].get.security).toEqual([]);
});

describe("the published JSON Schemas of the ingest bodies against the ingest tests' inputs", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  let pointsBody: (x: unknown) => boolean;
  let eventsBody: (x: unknown) => boolean;
  beforeAll(() => {
    ajv.addSchema(doc, "openapi");
    const ref = (path: string) => `openapi#/paths/${path.replaceAll("/", "~1")}/post/requestBody/content/application~1json/schema`;
    pointsBody = ajv.getSchema(ref("/api/v1/points"))! as (x: unknown) => boolean;
    eventsBody = ajv.getSchema(ref("/api/v1/events"))! as (x: unknown) => boolean;
  });

  // What JSON Schema cannot say (the server's own schemas and parsers do): a lone UTF-16
  // surrogate, a number JSON.parse turned into Infinity, a calendar-impossible date, "more than
  // 24 h ahead", and a limit counted in UTF-16 units. These are described in words instead.
  const INEXPRESSIBLE = new Set([
    "a number too big for a double (1e400)",
    "metric with a lone surrogate (would be stored as U+FFFD)",
    "tag value with a lone surrogate",
    "a timestamp > 24 h in the future",
    "an impossible date",
    "an offset out of range",
    "event name with a lone surrogate",
    "namespace with a lone surrogate",
    "id with a lone surrogate",
    "user id with a lone surrogate",
    "property value with a lone surrogate",
    "nested property key with a lone surrogate",
    "property 1e309 (JSON.parse gives Infinity)",
    "nested property -1e400",
    "context value 1e309",
    "bad timestamp",
  ]);

  test("bad points and events are refused, except the rules JSON Schema cannot state", () => {
    const accepted: string[] = [];
    for (const b of badPoints) if (pointsBody(JSON.parse(`[${good},${b.json}]`))) accepted.push(b.name);
    for (const b of [...badEvents, ...badEventShapes]) if (eventsBody(JSON.parse(`[${goodEvent},${b.json}]`))) accepted.push(b.name);
    expect(accepted.sort()).toEqual([...INEXPRESSIBLE].sort());
  });

  test("bad bodies that are JSON are refused", () => {
    for (const b of badBodies) {
      const text = b.body();
      if (typeof text !== "string" || b.headers) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        continue; // not JSON at all: refused before any schema
      }
      expect({ name: b.name, valid: pointsBody(parsed) }).toEqual({ name: b.name, valid: false });
    }
  });

  test("good bodies in every form are accepted", () => {
    for (const body of GOOD_POINTS) expect({ body, valid: pointsBody(body) }).toEqual({ body, valid: true });
    for (const body of GOOD_EVENTS) expect({ body, valid: eventsBody(body) }).toEqual({ body, valid: true });
  });
});
