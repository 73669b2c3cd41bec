import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { apiKeyAuth } from "../auth/api-key-auth";
import { readIngestBody } from "./body";
import { createIdempotencyGate } from "./idempotency";
import { ingestEvents, ingestPoints, type IngestAnswer, type IngestInput } from "./ingest";
import { bodyFault, EVENTS, POINTS, type Kind } from "./payload";
import { takeIngestToken } from "./rate-limits";

/** POST /api/v1/points and /api/v1/events (DESIGN.md "HTTP surface"): key → rate → body → use case. */
export function ingestRoutes(deps: Deps) {
  const app = new Hono<AppEnv>();
  const gate = createIdempotencyGate(deps.db.$client, deps.clock);
  const auth = apiKeyAuth(deps, "ingest");

  const input = async (c: Context<AppEnv>, kind: Kind): Promise<IngestInput> => {
    const key = c.get("apiKey")!;
    takeIngestToken(deps, { keyId: key.id, productId: key.productId });
    const { text, bytes } = await readIngestBody(c.req.raw, (message) => bodyFault(kind, message));
    const partial = c.req.query("partial");
    return {
      productId: key.productId,
      apiKeyId: key.id,
      text,
      bytes,
      partial: partial === "1" || partial === "true",
      idempotencyKey: c.req.header("Idempotency-Key") ?? null,
    };
  };

  app.post("/api/v1/points", auth, async (c) => send(c, await ingestPoints(deps, gate, await input(c, POINTS))));
  app.post("/api/v1/events", auth, async (c) => send(c, await ingestEvents(deps, gate, await input(c, EVENTS))));
  return app;
}

function send(c: Context<AppEnv>, answer: IngestAnswer) {
  if (answer.replayed) c.header("Idempotent-Replayed", "true");
  return c.json(answer.body as object, answer.status as 200);
}
