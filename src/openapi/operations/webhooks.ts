import type { JsonSchema } from "../json-schema";
import type { OperationTable, ResponseDoc } from "../operation";
import { WebhookInputSchema } from "../../webhooks/endpoints";
import { EVENT_TYPE_NAMES } from "../../webhooks/event-types";
import { attemptSchema } from "./delivery";

/** Outgoing product webhooks (src/webhooks/). */
const error: ResponseDoc = { description: "The one error shape, naming the field.", schema: { $ref: "#/components/schemas/Error" } };
const product = { name: "product", description: "The product id — only when signed in (a key implies its product)." };
const webhookId = { webhookId: "The webhook's id" };
const endpoint: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string" },
    url: { type: "string", description: "Shown masked (user:password@ and query values as …); sent back unchanged in a PATCH it keeps the stored URL" },
    description: { type: "string" },
    event_types: { type: "array", items: { enum: EVENT_TYPE_NAMES } },
    enabled: { type: "boolean" },
    disabled_reason: { type: ["string", "null"], description: "Why the server switched it off (every delivery failed for 5 days)" },
    secret: { type: "string", description: "whsec_… in full only in the answer that created or rotated it; masked (whsec_…abcd) elsewhere" },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
};
const delivery: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", description: "The webhook-id header of every attempt" },
    endpoint_id: { type: "string" },
    event_type: { type: "string" },
    status: { enum: ["pending", "retrying", "sent", "failed"] },
    attempts: { type: "integer" },
    last_status_code: { type: ["integer", "null"] },
    last_error: { type: ["string", "null"] },
    next_attempt_at: { type: ["string", "null"], format: "date-time" },
    created_at: { type: "string", format: "date-time" },
    sent_at: { type: ["string", "null"], format: "date-time" },
    payload: { type: "object", description: "The body sent: { type, timestamp, data }" },
  },
};
const sendResult: JsonSchema = { type: "object", properties: { delivery_id: { type: "string" }, ok: { type: "boolean" }, status_code: { type: ["integer", "null"] }, error: { type: ["string", "null"] } } };
const example = { url: "https://hooks.example.com/litekpi", event_types: ["goal.completed", "purchase.completed"], description: "CRM sync" };

export const webhookOperations: OperationTable = {
  "GET /api/v1/webhooks": {
    tag: "Webhooks",
    summary: "List outgoing webhooks",
    description: `The product's endpoints (secrets masked) and the event types one can take: ${EVENT_TYPE_NAMES.join(", ")}.`,
    auth: ["manage", "session"],
    query: [product],
    responses: { "200": { description: "Endpoints and event types", schema: { type: "object", properties: { webhooks: { type: "array", items: endpoint }, event_types: { type: "array", items: { type: "object" } } } } } },
  },
  "POST /api/v1/webhooks": {
    tag: "Webhooks",
    summary: "Add an outgoing webhook",
    description:
      "The URL is refused when it points at a private, loopback, link-local or metadata address (checked after DNS, again at every send). Messages are POSTed as { type, timestamp, data } with Standard Webhooks headers signed by the secret in this answer, which is not shown again.",
    auth: ["manage", "session"],
    query: [product],
    body: { schema: WebhookInputSchema, contentTypes: ["application/json"], example },
    responses: { "201": { description: "Created; secret in full", schema: endpoint }, "400": error, "409": error },
  },
  "GET /api/v1/webhooks/:webhookId": { tag: "Webhooks", summary: "One webhook", auth: ["manage", "session"], pathParams: webhookId, responses: { "200": { description: "The webhook", schema: endpoint }, "404": error } },
  "PATCH /api/v1/webhooks/:webhookId": {
    tag: "Webhooks",
    summary: "Change a webhook",
    description: "The given fields replace the stored ones; enabled: false stops new messages (queued retries wait); enabled: true switches it back on and the waiting ones go out.",
    auth: ["manage", "session"],
    pathParams: webhookId,
    responses: { "200": { description: "The webhook", schema: endpoint }, "400": error, "404": error },
  },
  "DELETE /api/v1/webhooks/:webhookId": { tag: "Webhooks", summary: "Delete a webhook", auth: ["manage", "session"], pathParams: webhookId, responses: { "204": { description: "Deleted with its delivery log" }, "404": error } },
  "POST /api/v1/webhooks/:webhookId/rotate-secret": {
    tag: "Webhooks",
    summary: "Rotate the signing secret",
    description: "A new secret, in full in this answer. For 24 hours messages carry signatures of the old and the new secret (space-separated in webhook-signature).",
    auth: ["manage", "session"],
    pathParams: webhookId,
    responses: { "200": { description: "The webhook; secret in full", schema: endpoint }, "404": error },
  },
  "POST /api/v1/webhooks/:webhookId/test": {
    tag: "Webhooks",
    summary: "Send an example",
    description: "Sends the event type's example data to this endpoint now, signed like any message, and answers what the receiver said.",
    auth: ["manage", "session"],
    pathParams: webhookId,
    responses: { "200": { description: "The attempt", schema: sendResult, example: { delivery_id: "msg_…", ok: true, status_code: 200, error: null } }, "400": error, "404": error },
  },
  "GET /api/v1/webhooks/:webhookId/deliveries": {
    tag: "Webhooks",
    summary: "Delivery log",
    description: "The newest 100 messages to this endpoint (30 days are kept).",
    auth: ["manage", "session"],
    pathParams: webhookId,
    responses: { "200": { description: "Deliveries", schema: { type: "object", properties: { deliveries: { type: "array", items: delivery } } } }, "404": error },
  },
  "GET /api/v1/webhooks/:webhookId/deliveries/:messageId": {
    tag: "Webhooks",
    summary: "One delivery with its attempts",
    auth: ["manage", "session"],
    pathParams: { ...webhookId, messageId: "The message's id (its webhook-id)" },
    responses: {
      "200": {
        description: "The delivery and every attempt (time, status code, duration, the first KB of the answer)",
        schema: { ...delivery, properties: { ...(delivery.properties as Record<string, JsonSchema>), attempts: { type: "array", items: attemptSchema } } },
      },
      "404": error,
    },
  },
  "POST /api/v1/webhooks/:webhookId/deliveries/:messageId/redeliver": {
    tag: "Webhooks",
    summary: "Redeliver",
    description: "Sends the same message (same webhook-id and body) again now.",
    auth: ["manage", "session"],
    pathParams: { ...webhookId, messageId: "The message's id" },
    responses: { "200": { description: "The attempt", schema: sendResult }, "404": error },
  },
};
