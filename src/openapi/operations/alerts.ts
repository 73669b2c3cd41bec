import type { JsonSchema } from "../json-schema";
import type { OperationTable } from "../operation";
import { attemptSchema } from "./delivery";

/** Alert rules (src/alerts/): the delivery log of a rule. */
const delivery: JsonSchema = {
  type: "object",
  properties: {
    id: { type: "string", description: "The notification's id (the webhook-id of a webhook channel's messages)" },
    episode_id: { type: "string" },
    kind: { enum: ["started", "resolved"] },
    channel: { type: "object", description: "The channel as the rule shows it (Slack and webhook URLs masked)" },
    status: { enum: ["pending", "retrying", "sent", "failed", "muted", "digest"] },
    last_status_code: { type: ["integer", "null"] },
    last_error: { type: ["string", "null"] },
    next_attempt_at: { type: ["string", "null"], format: "date-time" },
    created_at: { type: "string", format: "date-time" },
    sent_at: { type: ["string", "null"], format: "date-time" },
    attempts: { type: "array", items: attemptSchema },
  },
};

export const alertOperations: OperationTable = {
  "GET /api/v1/alerts/:alertId/deliveries": {
    tag: "Alerts",
    summary: "A rule's delivery log",
    description: "The newest 100 notifications of the rule (one per episode start or end and channel), each with every attempt.",
    auth: ["manage", "session"],
    pathParams: { alertId: "The alert rule's id" },
    responses: {
      "200": { description: "Deliveries", schema: { type: "object", properties: { deliveries: { type: "array", items: delivery } } } },
      "404": { description: "The one error shape, naming the field.", schema: { $ref: "#/components/schemas/Error" } },
    },
  },
};
