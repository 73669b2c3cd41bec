import type { Deps } from "../deps";
import { authenticateKey } from "../auth/api-key-auth";
import { API_HEADERS, apiErrorResponse, toAppError } from "../http/errors";
import { readIngestBody } from "./body";
import { createIdempotencyGate } from "./idempotency";
import { ingestEvents, ingestPoints, type IngestAnswer } from "./ingest";
import { bodyFault, EVENTS, POINTS, type Kind } from "./payload";
import { takeIngestToken } from "./rate-limits";

/**
 * POST /api/v1/points and /api/v1/events (DESIGN.md "HTTP surface") as plain Request → Response:
 * key → rate → body → use case. The hottest requests of the server, so Bun.serve routes them
 * here directly (src/server.ts) without the middleware chain pages need (sessions, CSRF, CSP);
 * the Hono app mounts the same handler so app.request() and the route walker see it too.
 */
export type IngestHandler = (req: Request, kind: Kind, path?: string) => Promise<Response>;

export function createIngestHandler(deps: Deps): IngestHandler {
  const gate = createIdempotencyGate(deps.db.$client, deps.clock);
  return async (req, kind, path) => {
    try {
      const key = authenticateKey(deps, req.headers.get("authorization"), "ingest");
      takeIngestToken(deps, { keyId: key.id, productId: key.productId });
      const { text, bytes } = await readIngestBody(req, (message) => bodyFault(kind, message));
      const input = { productId: key.productId, apiKeyId: key.id, text, bytes, partial: partialParam(req.url), idempotencyKey: req.headers.get("idempotency-key") };
      const a = await (kind === POINTS ? ingestPoints : ingestEvents)(deps, gate, input);
      // This month's count for the quota gate, between the usage job's reloads from the database.
      if (!a.replayed) deps.limits.ingest.quota.add(key.productId, (a.body as { accepted?: number }).accepted ?? 0);
      return answer(a);
    } catch (err) {
      return apiErrorResponse(toAppError(err, deps.log, { method: req.method, path: path ?? (kind === POINTS ? "/api/v1/points" : "/api/v1/events") }));
    }
  };
}

/** `/api/v1/events/batch` is seed 002's name for the same endpoint: one parser, limits, idempotency and answer. */
export const INGEST_ROUTES = { "/api/v1/points": POINTS, "/api/v1/events": EVENTS, "/api/v1/events/batch": EVENTS } as const;

/** `?partial=1` (or true); the URL is parsed only when it has a query at all. */
function partialParam(url: string): boolean {
  if (!url.includes("?")) return false;
  const partial = new URL(url).searchParams.get("partial");
  return partial === "1" || partial === "true";
}

function answer(a: IngestAnswer): Response {
  return Response.json(a.body, { status: a.status, headers: a.replayed ? { ...API_HEADERS, "Idempotent-Replayed": "true" } : API_HEADERS });
}
