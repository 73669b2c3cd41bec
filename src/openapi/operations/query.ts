import { QuerySchema } from "../../query/parse";
import type { JsonSchema } from "../json-schema";
import type { OperationTable, ParamDoc } from "../operation";

/** The query API and the pickers' discovery routes (src/query/routes.ts). */
const product: ParamDoc = { name: "product", description: "The product id — only when signed in (a key implies its product; naming another one is 404)." };
const prefix: ParamDoc = { name: "prefix", description: "Only names starting with this." };

const point: JsonSchema = { type: "object", properties: { t: { type: "string", description: "Bucket start, YYYY-MM-DDTHH:MM:SS±HH:MM in the query's zone" }, v: { type: ["number", "null"] } }, required: ["t", "v"] };
const queryAnswer: JsonSchema = {
  type: "object",
  properties: {
    metric: { type: "string" },
    aggregation: { type: "string" },
    granularity: { type: ["string", "null"] },
    from: { type: "string", description: "The resolved start, echoed" },
    to: { type: "string" },
    timezone: { type: "string" },
    value: { type: ["number", "null"], description: "Without granularity and without groupBy" },
    series: {
      type: "array",
      description: "Always present; without groupBy exactly one, with tags {}",
      items: { type: "object", properties: { tags: { type: "object", additionalProperties: { type: "string" } }, value: { type: ["number", "null"] }, points: { type: "array", items: point } }, required: ["tags", "points"] },
    },
    warnings: { type: "array", items: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, rawDataFrom: { type: "string" } } } },
  },
  required: ["metric", "aggregation", "from", "to", "timezone", "series"],
};
const stringList = (key: string): JsonSchema => ({ type: "object", properties: { [key]: { type: "array", items: { type: "string" } } }, required: [key] });

export const queryOperations: OperationTable = {
  "POST /api/v1/query": {
    tag: "Query",
    summary: "Query a metric",
    description:
      "sum, count, avg, min or max over a range (from/to as RFC 3339, or range like 24h, 7d, 12w, 6mo, 1y ending now — not both), by calendar buckets in the time zone (default: the product's), with tag filters ({ k: \"v\" | [\"a\",\"b\"] | { not: \"v\" } }) and groupBy (points without the key group as \"\"; groupLimit, default 10, folds the rest into __other__).",
    auth: ["read", "session"],
    body: {
      schema: QuerySchema,
      extraProperties: { product: { type: "string", description: "The product id — only when signed in" } },
      contentTypes: ["application/json"],
      example: { metric: "signups", aggregation: "sum", granularity: "day", range: "30d", timezone: "Europe/Berlin", filters: { plan: "pro" }, groupBy: ["country"] },
    },
    responses: {
      "200": { description: "The answer: series always, value without granularity and groupBy.", schema: queryAnswer },
      "400": { description: "invalid_query naming the field.", schema: { $ref: "#/components/schemas/Error" } },
    },
  },
  "GET /api/v1/export.csv": {
    tag: "Query",
    summary: "Export raw points as CSV",
    description:
      "Streamed CSV with the header timestamp,metric,value,<tag keys…>; timestamps ISO 8601 UTC with milliseconds; a text cell starting with = + - @, tab or CR gets a leading '. Filters as filter.<tag>=<value> (repeat for one of) and filter_not.<tag>=<value>.",
    auth: ["read", "session"],
    query: [
      { name: "metric", description: "The metric", required: true, example: "signups" },
      { name: "from", description: "RFC 3339 start (or range)" },
      { name: "to", description: "RFC 3339 end" },
      { name: "range", description: "24h, 7d, 12w, 6mo or 1y, ending now", example: "7d" },
      { name: "timezone", description: "IANA zone for range arithmetic" },
      product,
    ],
    responses: { "200": { description: "CSV", contentType: "text/csv", schema: { type: "string" } } },
  },
  "GET /api/v1/metrics": {
    tag: "Query",
    summary: "List metric names",
    auth: ["read", "session"],
    query: [prefix, product],
    responses: { "200": { description: "Metric names", schema: stringList("metrics"), example: { metrics: ["event:user_signup", "signups"] } } },
  },
  "GET /api/v1/metrics/:metric/tags": {
    tag: "Query",
    summary: "List a metric's tag keys",
    auth: ["read", "session"],
    pathParams: { metric: "The metric name (URL-encoded)" },
    query: [product],
    responses: { "200": { description: "Tag keys", schema: { ...stringList("keys"), properties: { metric: { type: "string" }, keys: { type: "array", items: { type: "string" } } } } } },
  },
  "GET /api/v1/metrics/:metric/tags/:key/values": {
    tag: "Query",
    summary: "List a tag's values",
    auth: ["read", "session"],
    pathParams: { metric: "The metric name (URL-encoded)", key: "The tag key" },
    query: [prefix, product],
    responses: { "200": { description: "Tag values", schema: { type: "object", properties: { metric: { type: "string" }, key: { type: "string" }, values: { type: "array", items: { type: "string" } } }, required: ["values"] } } },
  },
};
