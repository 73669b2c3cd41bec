import type { OperationTable } from "../operation";
import { ingestOperations } from "./ingest";
import { metaOperations } from "./meta";
import { peopleOperations } from "./people";
import { queryOperations } from "./query";
import { analyticsOperations } from "./analytics";
import { webOperations } from "./web";
import { webhookOperations } from "./webhooks";
import { alertOperations } from "./alerts";

/**
 * THE table of described operations, one module per area. A route of the router that is not
 * here is still in the document (method, path, parameters, auth, the error shape); describing it
 * is adding its entry to the area's module.
 */
export const OPERATIONS: OperationTable = {
  ...ingestOperations,
  ...queryOperations,
  ...peopleOperations,
  ...metaOperations,
  ...analyticsOperations,
  ...webOperations,
  ...webhookOperations,
  ...alertOperations,
};
