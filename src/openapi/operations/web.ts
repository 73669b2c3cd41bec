import type { OperationTable, ResponseDoc } from "../operation";

/** Web analytics: the public tracking endpoints and Plausible's Stats API v2 (src/web/). */
const error: ResponseDoc = { description: "The one error shape, naming the field.", schema: { $ref: "#/components/schemas/Error" } };
const accepted: ResponseDoc = { description: "Accepted (dropped hits are accepted too, and counted by reason)", contentType: "text/plain", example: "ok" };
const preflight: ResponseDoc = { description: "CORS preflight: any origin" };

export const webOperations: OperationTable = {
  "POST /api/track": {
    tag: "Web",
    summary: "A page view, engagement or goal from our tracker (t.js)",
    description: "Public, authenticated by the site token in the body ({ site, n, u, r, w, p, v, e, sd, rev, h }); text/plain or JSON; CORS for any origin; per-IP rate limit; 16 KiB.",
    auth: ["public"],
    responses: { "202": accepted, "400": error, "413": error, "429": error },
  },
  "OPTIONS /api/track": { tag: "Web", summary: "CORS preflight of /api/track", auth: ["public"], responses: { "204": preflight } },
  "POST /api/event": {
    tag: "Web",
    summary: "Plausible's event endpoint (drop-in)",
    description: "What Plausible's script and @plausible-analytics/tracker send ({ n, u, d, r, p, $, i, h, e, sd }); d is matched against the product's domains.",
    auth: ["public"],
    responses: { "202": accepted, "400": error, "413": error, "429": error },
  },
  "OPTIONS /api/event": { tag: "Web", summary: "CORS preflight of /api/event", auth: ["public"], responses: { "204": preflight } },
  "POST /api/v2/query": {
    tag: "Web",
    summary: "Plausible's Stats API v2",
    description: "site_id (a domain of the key's product), metrics, date_range, dimensions, filters, order_by, include, pagination — Plausible's shapes and rounding; plus revenue, purchases and rpv.",
    auth: ["read"],
    responses: { "200": { description: "{ results, meta, query }", schema: { type: "object" } }, "400": error },
  },
};
