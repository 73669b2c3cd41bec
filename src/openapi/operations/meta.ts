import type { OperationTable } from "../operation";

/** The document itself and the health check. */
export const metaOperations: OperationTable = {
  "GET /api/v1/openapi.json": {
    tag: "Meta",
    summary: "This OpenAPI 3.1 document",
    description: "Generated at start-up from the router's routes and the valibot schemas the server validates with. Feed it to a code generator; /docs renders it.",
    auth: ["public"],
    responses: { "200": { description: "OpenAPI 3.1", schema: { type: "object" } } },
  },
  "GET /healthz": {
    tag: "Meta",
    summary: "Health check",
    description: "200 when the database answers and the last write reached the disk; 503 otherwise. `storage` names the data plane's engine (sqlite, clickhouse or chdb).",
    auth: ["public"],
    responses: {
      "200": { description: "Healthy", schema: { type: "object", properties: { ok: { const: true }, storage: { type: "string", enum: ["sqlite", "clickhouse", "chdb"] } } }, example: { ok: true, storage: "sqlite" } },
      "503": { description: "The database does not answer or writes fail", schema: { $ref: "#/components/schemas/Error" } },
    },
  },
};
