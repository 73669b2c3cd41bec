import type { Deps } from "../../deps";
import { AppError, unauthorized } from "../../lib/errors";
import { isObject } from "../../lib/names";
import { API_HEADERS, apiErrorResponse, toAppError } from "../../http/errors";
import { storeEvents } from "../../ingest/ingest";
import { bodyFault, EVENTS } from "../../ingest/payload";
import type { IdempotencyGate } from "../../ingest/idempotency";
import { findProductBySiteToken } from "../../web/sites";
import { admit, countAccepted, ingestKeyFrom, queryOf, type DropIn, type DropInRoute } from "../common";
import { compact, idString, parseTranslated, Untranslatable, without, type Translated } from "../events";
import { readPostHogBody } from "./decode";
import { withCors, preflight } from "./cors";
import { decideAnswer, flagsAnswer } from "./flags";

/**
 * PostHog's capture endpoints, so posthog-node, posthog-js and the other PostHog SDKs send here
 * with `host` set to LiteKPI: `POST /batch/` (`{ api_key, batch: [...] }`), `/capture/` (one
 * event), `/e/` and `/i/v0/e/` (what posthog-js sends: one event or an array). The project key
 * (`api_key` / `token` in the body, or `properties.token` of the events) is one of our ingest
 * keys — or, on /e/ and /i/v0/e/ which browsers call, the product's public site token.
 *
 * Mapping: `event` → the event name ($pageview, $identify, … kept as PostHog names them),
 * `distinct_id` → `context.user_id`, `properties.$session_id` → `context.session_id`, `uuid` →
 * the event id (a retry is stored once), `timestamp` (else now − `offset` ms, else now), the
 * properties as sent (with `$set` / `$set_once` folded in) except `$ip` and `token`: no IP is
 * stored. Answers `{ "status": 1 }` as PostHog does; invalid events are left out and listed
 * (207), a batch with nothing valid is 400. `/decide` and `/flags` answer "no flags, no
 * recordings" (also as posthog-js's remote config, `/array/<token>/config`) so the SDKs start
 * without errors. CORS is open on all of them (browsers send).
 */
const CAPTURE: { path: string; browser: boolean }[] = [
  { path: "/batch", browser: false },
  { path: "/capture", browser: false },
  { path: "/e", browser: true },
  { path: "/i/v0/e", browser: true },
];

export const posthogDropIn: DropIn = {
  name: "posthog",
  routes: ({ deps, gate }) => {
    const routes: DropInRoute[] = [];
    // PostHog serves each path with and without the trailing slash; its SDKs use the slash.
    const both = (path: string, make: (p: string) => DropInRoute[]) => routes.push(...make(path), ...make(`${path}/`));
    for (const c of CAPTURE) {
      both(c.path, (path) => [
        { method: "POST", path, handle: (req) => withCors(req, capture(deps, gate, req, c.browser)) },
        { method: "OPTIONS", path, handle: (req) => preflight(req) },
      ]);
    }
    for (const [path, answer] of [["/decide", decideAnswer], ["/flags", flagsAnswer]] as const) {
      both(path, (p) => [
        { method: "POST", path: p, handle: (req) => withCors(req, Promise.resolve(Response.json(answer(), { headers: API_HEADERS }))) },
        { method: "GET", path: p, handle: (req) => withCors(req, Promise.resolve(Response.json(answer(), { headers: API_HEADERS }))) },
        { method: "OPTIONS", path: p, handle: (req) => preflight(req) },
      ]);
    }
    // posthog-js fetches its "remote config" first; the same nothing-enabled answer, and a no-op script.
    routes.push(
      { method: "GET", path: "/array/:token/config", handle: (req) => withCors(req, Promise.resolve(Response.json(decideAnswer(), { headers: API_HEADERS }))) },
      { method: "GET", path: "/array/:token/config.js", handle: (req) => withCors(req, Promise.resolve(new Response("", { headers: { "Content-Type": "text/javascript", ...API_HEADERS } }))) },
    );
    return routes;
  },
};

async function capture(deps: Deps, gate: IdempotencyGate, req: Request, browser: boolean): Promise<Response> {
  try {
    const query = queryOf(req);
    const { body, bytes } = await readPostHogBody(req, query);
    const events = eventsOf(body);
    const who = authenticate(deps, tokenOf(body, events, query), browser);
    admit(deps, who);
    const answer = await storeEvents(
      deps,
      gate,
      { productId: who.productId, apiKeyId: who.keyId ?? null, bytes, partial: true, idempotencyKey: req.headers.get("idempotency-key") },
      (now) => {
        const parsed = parseTranslated(events.map((e) => translate(e, now)), now);
        if (parsed.events.length === 0 && parsed.errors.length > 0) {
          throw new AppError(400, EVENTS.code, `No event of the request could be stored (${parsed.errors[0]!.message})`, { errors: parsed.errors });
        }
        return parsed;
      },
    );
    countAccepted(deps, who.productId, answer);
    return Response.json({ status: 1, ...(answer.body as object) }, { status: answer.status, headers: API_HEADERS });
  } catch (err) {
    return apiErrorResponse(toAppError(err, deps.log, { method: req.method, path: new URL(req.url).pathname }));
  }
}

function eventsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (!isObject(body)) throw bodyFault(EVENTS, "The body must be a PostHog event, an array of events, or { batch: [...] }");
  if (Object.hasOwn(body, "batch")) {
    if (!Array.isArray(body.batch)) throw bodyFault(EVENTS, `"batch" must be an array of events`);
    return body.batch;
  }
  return [body];
}

function tokenOf(body: unknown, events: unknown[], query: URLSearchParams): string | null {
  const str = (x: unknown) => (typeof x === "string" && x !== "" ? x : null);
  if (isObject(body)) {
    const t = str(body.api_key) ?? str(body.token);
    if (t) return t;
  }
  const first = events[0];
  if (isObject(first)) {
    const t = str(first.api_key) ?? str(first.token) ?? (isObject(first.properties) ? str(first.properties.token) : null);
    if (t) return t;
  }
  return str(query.get("token")) ?? str(query.get("api_key"));
}

function authenticate(deps: Deps, token: string | null, browser: boolean): { keyId?: string; productId: string } {
  if (token?.startsWith("site_")) {
    if (!browser) throw unauthorized("A site token can only send browser events (/e/); server SDKs use an ingest key");
    const productId = findProductBySiteToken(deps.db, token);
    if (!productId) throw unauthorized("Unknown site token");
    return { productId };
  }
  const key = ingestKeyFrom(deps, token, `as the project API key: api_key in the body (PostHog's way)${browser ? ", or the site token" : ""}`);
  return { keyId: key.id, productId: key.productId };
}

const DROPPED = ["$ip", "token", "distinct_id"];

function translate(e: unknown, now: number): Translated {
  if (!isObject(e)) return new Untranslatable(null, "each event must be a JSON object");
  const props = isObject(e.properties) ? e.properties : {};
  const distinctId = idString(e.distinct_id ?? e.$distinct_id ?? props.distinct_id);
  if (distinctId === undefined || distinctId === null || distinctId === "") return new Untranslatable("distinct_id", "distinct_id is required");
  if (e.properties !== undefined && !isObject(e.properties)) return new Untranslatable("properties", "properties must be a JSON object");
  const properties = without(props, DROPPED)!;
  for (const k of ["$set", "$set_once"]) if (isObject(e[k])) properties[k] = { ...(isObject(properties[k]) ? (properties[k] as object) : {}), ...(e[k] as object) };
  const context: Record<string, unknown> = { user_id: distinctId };
  if (props.$session_id !== undefined && props.$session_id !== null) context.session_id = idString(props.$session_id);
  return compact({
    event: e.event,
    timestamp: e.timestamp ?? (typeof e.offset === "number" && Number.isFinite(e.offset) ? new Date(now - e.offset).toISOString() : undefined),
    properties,
    context,
    id: e.uuid,
  });
}
