import { EventsBodySchema, PointsBodySchema } from "../../ingest/schemas";
import type { JsonSchema } from "../json-schema";
import type { OperationTable, ParamDoc, ResponseDoc } from "../operation";

/** POST /api/v1/points and /api/v1/events (DESIGN.md "HTTP surface"). */
const ingestHeaders: ParamDoc[] = [
  {
    name: "Idempotency-Key",
    description: "Any string up to 200 characters, kept 24 h per product: a retry with the same key replays the first answer (header Idempotent-Replayed: true) and stores nothing again; the same key with another body is 422.",
    schema: { type: "string", maxLength: 200 },
    example: "3f2c9a1e-8b7d-4c6e-9f00-1234567890ab",
  },
  { name: "Content-Encoding", description: "gzip, or absent. The 1 MiB limit also applies after inflating.", schema: { type: "string", enum: ["gzip", "identity"] } },
];

const partial: ParamDoc = {
  name: "partial",
  description: "1 or true: store the valid items and answer 207 with the errors of the others (without it one bad item refuses the whole request).",
  schema: { type: "string", enum: ["1", "true"] },
};

const rateLimited: ResponseDoc = { description: "Too many requests for this key or product; retry after the Retry-After seconds.", schema: { $ref: "#/components/schemas/Error" }, headers: { "Retry-After": "Seconds to wait" } };

function responses(code: "invalid_points" | "invalid_events", accepted: Record<string, JsonSchema>): Record<string, ResponseDoc> {
  return {
    "200": { description: "Stored (on disk) — every item.", schema: { type: "object", properties: accepted, required: ["accepted"] }, example: { accepted: 2 } },
    "207": {
      description: "With ?partial=1: the valid items are stored, the others listed.",
      schema: { type: "object", properties: { ...accepted, error: { const: code }, errors: { type: "array", items: { $ref: "#/components/schemas/ItemError" } } }, required: ["accepted", "error", "errors"] },
      example: { accepted: 1, error: code, errors: [{ index: 1, field: "value", message: "value must be a JSON number, not a string" }] },
    },
    "400": {
      description: `${code}: nothing was stored. Each problem names the item's index, the field and why; a fault of the whole body (bad JSON, > 1000 items) has index null.`,
      schema: { $ref: "#/components/schemas/Error" },
      example: { error: code, message: "1 item failed validation; nothing was stored (add ?partial=1 to store the valid ones)", errors: [{ index: 1, field: "timestamp", message: "timestamp is more than 24 hours in the future" }] },
    },
    "401": { description: "Missing, unknown or revoked key.", schema: { $ref: "#/components/schemas/Error" } },
    "403": { description: "The key has no ingest scope.", schema: { $ref: "#/components/schemas/Error" } },
    "413": { description: "More than 1 MiB (raw or inflated).", schema: { $ref: "#/components/schemas/Error" } },
    "415": { description: "Not JSON (application/json, text/plain and application/x-www-form-urlencoded bodies are read as JSON), or an unsupported Content-Encoding.", schema: { $ref: "#/components/schemas/Error" } },
    "422": { description: "The Idempotency-Key was used with another body.", schema: { $ref: "#/components/schemas/Error" } },
    "429": rateLimited,
  };
}

export const ingestOperations: OperationTable = {
  "POST /api/v1/points": {
    tag: "Ingest",
    summary: "Send metric points",
    description: "One point, an array, or { \"points\": [...] }: at most 1000 points and 1 MiB per request. The answer comes once the points are on disk. Points are appended: two points with the same series and time both count.",
    auth: ["ingest"],
    query: [partial],
    headers: ingestHeaders,
    body: { schema: PointsBodySchema, example: { points: [{ metric: "signups", value: 1, tags: { plan: "pro" } }, { metric: "revenue", value: 49.5, timestamp: "2026-03-08T14:30:00Z" }] } },
    responses: responses("invalid_points", { accepted: { type: "integer", minimum: 0 } }),
  },
  "POST /api/v1/events": {
    tag: "Ingest",
    summary: "Send product events",
    description: "One event, an array, or { \"events\": [...] }, the same limits as points. context.user_id and context.session_id are kept as columns; each stored event adds 1 to the metric event:<name>. An event whose id the product already has is counted in duplicates and not stored again.",
    auth: ["ingest"],
    query: [partial],
    headers: ingestHeaders,
    body: {
      schema: EventsBodySchema,
      example: { events: [{ event: "user_signup", properties: { plan: "pro" }, context: { user_id: "user_123" } }, { namespace: "billing", event: "usage_recorded", properties: { quantity: 1000 }, id: "usage-2026-03-08-1" }] },
    },
    responses: responses("invalid_events", { accepted: { type: "integer", minimum: 0 }, duplicates: { type: "integer", minimum: 0 } }),
  },
};
