import type { OperationTable } from "../operation";

/** Erasure and export of one person's events (src/ops/people-routes.ts). */
const person = { id: "A user id, email or persisted visitor id" };
const product = { name: "product", description: "The product id — only when signed in as its owner (a manage key implies its product)." };

export const peopleOperations: OperationTable = {
  "GET /api/v1/people/:id/export": {
    tag: "People",
    summary: "Export a person's events as JSON",
    auth: ["manage", "session"],
    pathParams: person,
    query: [product],
    responses: { "200": { description: "Every event of the person", schema: { type: "object", properties: { person: { type: "string" }, count: { type: "integer" }, events: { type: "array", items: { type: "object" } } } } } },
  },
  "DELETE /api/v1/people/:id": {
    tag: "People",
    summary: "Erase a person's events",
    description: "Deletes every event of the user id, email or persisted visitor id and says how many rows went.",
    auth: ["manage", "session"],
    pathParams: person,
    query: [product],
    responses: { "200": { description: "Erased", schema: { type: "object", properties: { person: { type: "string" }, deleted: { type: "integer" } } }, example: { person: "user_123", deleted: 42 } } },
  },
};
