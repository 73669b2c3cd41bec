import type { Deps } from "../deps";
import { AppError } from "../lib/errors";
import { isObject } from "../lib/names";
import { API_HEADERS, apiErrorResponse, toAppError } from "../http/errors";
import { readIngestBody } from "../ingest/body";
import { storeEvents } from "../ingest/ingest";
import { bodyFault, EVENTS } from "../ingest/payload";
import type { IdempotencyGate } from "../ingest/idempotency";
import { admit, basicAuth, countAccepted, ingestKeyFrom, type DropIn } from "./common";
import { compact, idString, parseTranslated, Untranslatable, without, type Translated } from "./events";

/**
 * Segment's HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/),
 * so analytics-node, analytics-python, … pointed at LiteKPI (`host`) work unchanged:
 * `POST /v1/batch` (`{ batch: [...] }`) and the single-message `/v1/track`, `/v1/identify`,
 * `/v1/page`, `/v1/screen`, `/v1/group`, `/v1/alias`. The write key is our ingest key, sent as
 * the Basic auth username (Segment's way) or as `writeKey` in the body.
 *
 * Mapping onto events: `track` → its `event`; `identify` → `$identify` with the traits as
 * properties; `page` → `$pageview` and `screen` → `$screen` (properties plus `name`/`category`);
 * `group` → `$groupidentify` (traits plus `group_id`); `alias` → `$create_alias` (`previous_id`)
 * — the names PostHog uses, so both drop-ins chart alike. `userId` (else `anonymousId`) →
 * `context.user_id`, `messageId` → the event id (a retried batch is stored once), `timestamp`
 * (else `originalTimestamp`, else now), Segment's `context` kept without `ip` (never stored).
 * Answers `{ "success": true }` as Segment does; a message that fails validation is left out and
 * listed (207, still a success to the clients, which would otherwise drop the whole batch); a
 * batch with nothing valid is 400.
 */
const SINGLE = ["track", "identify", "page", "screen", "group", "alias"] as const;
type MessageType = (typeof SINGLE)[number];
const NAMES: Record<Exclude<MessageType, "track">, string> = { identify: "$identify", page: "$pageview", screen: "$screen", group: "$groupidentify", alias: "$create_alias" };

export const segmentDropIn: DropIn = {
  name: "segment",
  routes: ({ deps, gate }) => [
    { method: "POST", path: "/v1/batch", handle: (req) => handle(deps, gate, req, null) },
    ...SINGLE.map((type) => ({ method: "POST" as const, path: `/v1/${type}`, handle: (req: Request) => handle(deps, gate, req, type) })),
  ],
};

async function handle(deps: Deps, gate: IdempotencyGate, req: Request, single: MessageType | null): Promise<Response> {
  try {
    const { text, bytes } = await readIngestBody(req, (message) => bodyFault(EVENTS, message));
    const body = parseJson(text);
    const auth = basicAuth(req.headers.get("authorization"));
    const key = ingestKeyFrom(deps, auth?.user || auth?.password || (typeof body.writeKey === "string" ? body.writeKey : null), "as the write key: Basic auth with the key as username (Segment's way), or writeKey in the body");
    admit(deps, { keyId: key.id, productId: key.productId });
    const messages = single ? [body] : batchOf(body);
    const answer = await storeEvents(
      deps,
      gate,
      { productId: key.productId, apiKeyId: key.id, bytes, partial: true, idempotencyKey: req.headers.get("idempotency-key") },
      (now) => {
        const parsed = parseTranslated(messages.map((m) => translate(m, single)), now);
        if (parsed.events.length === 0 && parsed.errors.length > 0) {
          throw new AppError(400, EVENTS.code, `No message of the batch could be stored (${parsed.errors[0]!.message})`, { errors: parsed.errors });
        }
        return parsed;
      },
    );
    countAccepted(deps, key.productId, answer);
    return Response.json({ success: true, ...(answer.body as object) }, { status: answer.status, headers: API_HEADERS });
  } catch (err) {
    return apiErrorResponse(toAppError(err, deps.log, { method: req.method, path: new URL(req.url).pathname }));
  }
}

function parseJson(text: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw bodyFault(EVENTS, `The body is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
  }
  if (!isObject(body)) throw bodyFault(EVENTS, "The body must be a JSON object (a Segment message, or { batch: [...] })");
  return body;
}

function batchOf(body: Record<string, unknown>): unknown[] {
  if (!Array.isArray(body.batch)) throw bodyFault(EVENTS, `"batch" must be an array of Segment messages`);
  return body.batch;
}

function translate(m: unknown, single: MessageType | null): Translated {
  if (!isObject(m)) return new Untranslatable(null, "each message must be a JSON object");
  const type = (m.type ?? single) as MessageType;
  if (!SINGLE.includes(type)) return new Untranslatable("type", `type must be one of ${SINGLE.join(", ")}`);
  if (single && m.type !== undefined && m.type !== single) return new Untranslatable("type", `this endpoint takes "${single}" messages`);
  const userId = idString(m.userId) ?? idString(m.anonymousId);
  if (userId === undefined || userId === null) return new Untranslatable("userId", "userId or anonymousId is required");
  const context = without(m.context, ["ip"]) ?? {};
  context.user_id = userId;
  if (m.userId != null && m.anonymousId != null) context.anonymous_id = idString(m.anonymousId);
  return compact({
    event: type === "track" ? m.event : NAMES[type],
    timestamp: m.timestamp ?? m.originalTimestamp,
    properties: propertiesOf(type, m),
    context,
    id: m.messageId,
  });
}

function propertiesOf(type: MessageType, m: Record<string, unknown>): unknown {
  switch (type) {
    case "track":
      return m.properties;
    case "identify":
      return m.traits;
    case "page":
    case "screen":
      return isObject(m.properties) || m.properties === undefined ? compact({ ...(m.properties as object), name: m.name, category: m.category }) : m.properties;
    case "group":
      return compact({ ...(isObject(m.traits) ? m.traits : {}), group_id: idString(m.groupId) });
    case "alias":
      return compact({ previous_id: idString(m.previousId) });
  }
}
