import type { OperationTable, ResponseDoc } from "../operation";
import type { JsonSchema } from "../json-schema";
import { GoalInputSchema } from "../../goals/goals";
import { FunnelInputSchema } from "../../funnels/funnel";
import { FunnelDefinitionSchema } from "../../funnels/saved";
import { TIME_BUCKET_EDGES_MS } from "../../funnels/time-buckets";

/** Goals, funnels and revenue (src/goals/, src/funnels/, src/revenue/). */
const error: ResponseDoc = { description: "The one error shape, naming the field.", schema: { $ref: "#/components/schemas/Error" } };
const product = { name: "product", description: "The product id — only when signed in (a key implies its product)." };
const goal: JsonSchema = { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, page: { type: ["string", "null"] }, event: { type: ["string", "null"] }, properties: { type: ["object", "null"] }, currency: { type: ["string", "null"] }, createdAt: { type: "integer" } } };
const timeBucket: JsonSchema = { type: "object", properties: { from_seconds: { type: "integer" }, to_seconds: { type: ["integer", "null"] }, visitors: { type: "integer" } } };
const step: JsonSchema = { type: "object", properties: { name: { type: "string" }, visitors: { type: "integer" }, conversion_rate: { type: "number" }, drop_off: { type: "integer" }, median_seconds_to_convert: { type: ["integer", "null"] }, time_to_convert: { type: "array", description: `The distribution of the times the median is taken over (from step 1 to this step, per visitor or user): every bucket, in order, edges in seconds (${TIME_BUCKET_EDGES_MS.map((e) => e / 1000).join(", ")}); the last is open (to_seconds null). All zero for step 1.`, items: timeBucket } } };
const funnelExample = { steps: [{ page: "/" }, { page: "/pricing*" }, { goal: "Signup" }, { event: "Purchase" }], window: "7d", date_range: "30d", breakdown: "visit:source" };

export const analyticsOperations: OperationTable = {
  "GET /api/v1/goals": { tag: "Goals", summary: "List goals", auth: ["read", "manage", "session"], query: [product], responses: { "200": { description: "The product's goals", schema: { type: "object", properties: { goals: { type: "array", items: goal } } } } } },
  "POST /api/v1/goals": {
    tag: "Goals",
    summary: "Create a goal",
    description: "A page pattern (* within a segment, ** across) or an event name with property filters; with currency, a revenue goal.",
    auth: ["manage", "session"],
    query: [product],
    body: { schema: GoalInputSchema, contentTypes: ["application/json"], example: { name: "Signup", event: "signup", properties: { plan: ["pro", "team"] } } },
    responses: { "201": { description: "Created", schema: goal }, "400": error, "409": error },
  },
  "GET /api/v1/goals/:goalId": { tag: "Goals", summary: "One goal", auth: ["read", "manage", "session"], pathParams: { goalId: "The goal's id" }, responses: { "200": { description: "The goal", schema: goal }, "404": error } },
  "PATCH /api/v1/goals/:goalId": {
    tag: "Goals",
    summary: "Change a goal",
    description: "The given fields replace the stored ones (null removes one); naming page or event switches the kind.",
    auth: ["manage", "session"],
    pathParams: { goalId: "The goal's id" },
    responses: { "200": { description: "The goal", schema: goal }, "400": error, "404": error },
  },
  "DELETE /api/v1/goals/:goalId": { tag: "Goals", summary: "Delete a goal", auth: ["manage", "session"], pathParams: { goalId: "The goal's id" }, responses: { "204": { description: "Deleted" }, "404": error } },
  "POST /api/v1/insights/funnel": {
    tag: "Funnels",
    summary: "Run a funnel",
    description:
      "Counted like ClickHouse's windowFunnel: per visitor (web) or user (context.user_id), the longest chain of steps each strictly after the previous, within window of a first step inside date_range. breakdown by a visit dimension or a property, with the two-proportion z-test p-value per value.",
    auth: ["read", "session"],
    body: { schema: FunnelInputSchema, extraProperties: { product: { type: "string", description: "The product id — only when signed in" } }, contentTypes: ["application/json"], example: funnelExample },
    responses: { "200": { description: "Steps", schema: { type: "object", properties: { steps: { type: "array", items: step } } } }, "400": error },
  },
  "GET /api/v1/funnels": { tag: "Funnels", summary: "List saved funnels", auth: ["read", "manage", "session"], query: [product], responses: { "200": { description: "Saved funnels", schema: { type: "object" } } } },
  "POST /api/v1/funnels": {
    tag: "Funnels",
    summary: "Save a funnel",
    auth: ["manage", "session"],
    query: [product],
    body: { schema: FunnelDefinitionSchema, extraProperties: { name: { type: "string" } }, contentTypes: ["application/json"], example: { name: "Signup flow", steps: funnelExample.steps, window: "7d" } },
    responses: { "201": { description: "Saved", schema: { type: "object" } }, "400": error },
  },
  "GET /api/v1/funnels/:funnelId": { tag: "Funnels", summary: "One saved funnel", auth: ["read", "manage", "session"], pathParams: { funnelId: "The funnel's id" }, responses: { "200": { description: "The funnel", schema: { type: "object" } }, "404": error } },
  "PATCH /api/v1/funnels/:funnelId": { tag: "Funnels", summary: "Change a saved funnel", auth: ["manage", "session"], pathParams: { funnelId: "The funnel's id" }, responses: { "200": { description: "The funnel", schema: { type: "object" } }, "400": error, "404": error } },
  "DELETE /api/v1/funnels/:funnelId": { tag: "Funnels", summary: "Delete a saved funnel", auth: ["manage", "session"], pathParams: { funnelId: "The funnel's id" }, responses: { "204": { description: "Deleted" }, "404": error } },
  "POST /api/v1/hooks/:provider/:productId": {
    tag: "Revenue",
    summary: "Payment provider webhook",
    description:
      "Stripe, Lemon Squeezy, Polar or Shopify, authenticated only by the provider's signature, checked on the raw bytes before anything else (400 invalid_signature, nothing stored). 200 after the events are committed; a redelivery is counted in duplicates.",
    auth: ["public"],
    pathParams: { provider: "stripe, lemonsqueezy, polar or shopify", productId: "The product the integration belongs to" },
    responses: { "200": { description: "Stored", schema: { type: "object", properties: { ok: { const: true }, type: { type: "string" }, stored: { type: "integer" }, duplicates: { type: "integer" } } } }, "400": error, "404": error },
  },
  "GET /api/v1/revenue/mrr": {
    tag: "Revenue",
    summary: "MRR and its movements",
    description: "Per currency (never converted), per month in the product's zone: MRR at the month's end, new, expansion, contraction and churned.",
    auth: ["read", "session"],
    query: [product, { name: "months", description: "1–36, default 12" }],
    responses: { "200": { description: "Per currency", schema: { type: "object" } }, "400": error },
  },
  "GET /api/v1/revenue/ltv": {
    tag: "Revenue",
    summary: "Lifetime value by cohort or source",
    auth: ["read", "session"],
    query: [product, { name: "by", description: "cohort (default) or source" }, { name: "currency", description: "ISO 4217 code; the product's currency by default (currencies are never converted)" }],
    responses: { "200": { description: "LTV", schema: { type: "object" } }, "400": error },
  },
};
