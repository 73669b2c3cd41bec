import { Hono } from "hono";
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { AppEnv } from "../../http/context";
import type { Deps } from "../../deps";
import { AppError } from "../../lib/errors";
import { isObject } from "../../lib/names";
import { apiErrorResponse, toAppError } from "../../http/errors";
import { bearerToken } from "../../auth/api-key-auth";
import { MAX_BODY_BYTES } from "../../ingest/body";
import { storeEvents, storePoints, type IngestAnswer } from "../../ingest/ingest";
import { parseEvents } from "../../ingest/events-payload";
import { bodyFault, EVENTS, parsePoints } from "../../ingest/payload";
import { createIdempotencyGate } from "../../ingest/idempotency";
import { admit, countAccepted, ingestKeyFrom, queryOf } from "../common";

/**
 * `GET /api/v1/events/stream` (DESIGN.md "Developer surface and drop-ins"): a WebSocket for
 * clients that send continuously. Key (scope ingest) in `Authorization: Bearer` or `?key=`.
 * Each text message is what one POST would carry — an event, an array of events (or
 * `{ events: [...] }`), or `{ points: [...] }` — checked by the same parsers, all or nothing,
 * at most 1000 items and 1 MiB (a larger frame closes with 1009). The answer to message n (n
 * counts from 1 per connection) is `{ ack: n, accepted, duplicates? }` once the commit that
 * stored it is done (the durability of a POST), or `{ error, message, errors?, seq: n }`.
 * Answers go out in message order. Every message takes a token from the key's and the
 * product's rate limits (429's `retryAfter` in seconds in the answer) and passes the quota gate.
 *
 * Backpressure: a connection with MAX_IN_FLIGHT messages not yet committed, or whose unread
 * answers pass SOFT_BUFFER bytes, stops being read (the client's sends block in TCP) until it
 * drains. A consumer whose unread answers still pass HARD_BUFFER (a burst already read) is
 * closed with 1008. Shutdown answers every message already read, then closes with 1001.
 */
export const STREAM_PATH = "/api/v1/events/stream";
const MAX_IN_FLIGHT = 64;
const SOFT_BUFFER = 1024 * 1024;
const HARD_BUFFER = 8 * 1024 * 1024;

type StreamData = { secret: string; productId: string; seq: number; inFlight: number; tail: Promise<void>; closed: boolean };
type Socket = ServerWebSocket<StreamData>;
type Reply = Record<string, unknown>;

export type EventStream = {
  /** Upgrades the request (then answers undefined), or answers why not: 401/403/426/429. */
  upgrade(req: Request, server: Server<StreamData>): Response | undefined;
  websocket: WebSocketHandler<StreamData>;
  /** Stop reading, answer what was read, close every socket (1001). */
  close(): Promise<void>;
};

const utf8 = new TextDecoder("utf-8", { fatal: true });
const NO_BYTES = new Uint8Array(0);

export function createEventStream(deps: Deps): EventStream {
  const gate = createIdempotencyGate(deps.db.$client, deps.clock);
  const sockets = new Set<Socket>();
  let closing = false;

  const where = { method: "GET", path: STREAM_PATH };

  function store(d: StreamData, raw: string | Buffer, seq: number): Promise<Reply> | Reply {
    // Everything up to the writer's submit runs now, in message order; only the commit is awaited.
    try {
      if (closing) throw new AppError(503, "shutting_down", "The server is shutting down; reconnect and send again");
      const key = ingestKeyFrom(deps, d.secret, "");
      admit(deps, { keyId: key.id, productId: key.productId });
      const text = typeof raw === "string" ? raw : decode(raw);
      const body = parse(text);
      const input = { productId: key.productId, apiKeyId: key.id, bytes: NO_BYTES, partial: false, idempotencyKey: null };
      const pending: Promise<IngestAnswer> =
        isObject(body) && Object.hasOwn(body, "points")
          ? storePoints(deps, gate, input, (now) => parsePoints(body, now))
          : storeEvents(deps, gate, input, (now) => parseEvents(body, now));
      return pending.then(
        (answer) => {
          countAccepted(deps, key.productId, answer);
          return { ack: seq, ...(answer.body as object) };
        },
        (err) => failure(err, seq),
      );
    } catch (err) {
      return failure(err, seq);
    }
  }

  function failure(err: unknown, seq: number): Reply {
    const e = toAppError(err, deps.log, where);
    const retryAfter = e.extra.headers?.["Retry-After"];
    return { ...e.toJSON(), seq, ...(retryAfter ? { retryAfter: Number(retryAfter) } : {}) };
  }

  function backpressure(ws: Socket) {
    const d = ws.data;
    if (d.closed) return;
    const buffered = ws.getBufferedAmount();
    if (buffered > HARD_BUFFER) {
      d.closed = true;
      ws.close(1008, "slow consumer: answers are not being read");
      return;
    }
    const full = d.inFlight >= MAX_IN_FLIGHT || buffered > SOFT_BUFFER;
    if (full && !ws.isPaused) ws.pause();
    else if (!full && ws.isPaused && !closing) ws.resume();
  }

  return {
    upgrade(req, server) {
      try {
        if (closing) throw new AppError(503, "shutting_down", "The server is shutting down");
        if ((req.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
          throw new AppError(426, "upgrade_required", `${STREAM_PATH} is a WebSocket: connect with ws:// or wss://`, { headers: { Upgrade: "websocket" } });
        }
        const secret = bearerToken(req.headers.get("authorization") ?? undefined) ?? queryOf(req).get("key");
        const key = ingestKeyFrom(deps, secret, "as Authorization: Bearer lk_… or ?key=lk_…");
        admit(deps, { keyId: key.id, productId: key.productId });
        const data: StreamData = { secret: secret!, productId: key.productId, seq: 0, inFlight: 0, tail: Promise.resolve(), closed: false };
        if (server.upgrade(req, { data })) return undefined;
        throw new AppError(400, "bad_upgrade", "The WebSocket handshake failed (Sec-WebSocket-Key and Version 13 are required)");
      } catch (err) {
        return apiErrorResponse(toAppError(err, deps.log, where));
      }
    },
    websocket: {
      maxPayloadLength: MAX_BODY_BYTES,
      backpressureLimit: HARD_BUFFER * 2,
      idleTimeout: 120,
      open(ws) {
        sockets.add(ws);
      },
      message(ws, raw) {
        const d = ws.data;
        if (d.closed) return;
        const seq = ++d.seq;
        d.inFlight++;
        const reply = store(d, raw, seq);
        d.tail = d.tail
          .then(() => reply)
          .then((r) => {
            d.inFlight--;
            if (!d.closed) ws.send(JSON.stringify(r));
            backpressure(ws);
          });
        backpressure(ws);
      },
      drain(ws) {
        backpressure(ws);
      },
      close(ws) {
        ws.data.closed = true;
        sockets.delete(ws);
      },
    },
    async close() {
      closing = true;
      for (const ws of sockets) if (!ws.isPaused) ws.pause();
      await Promise.all([...sockets].map((ws) => ws.data.tail));
      for (const ws of sockets) {
        ws.data.closed = true;
        ws.close(1001, "server shutting down");
      }
    },
  };
}

function decode(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw bodyFault(EVENTS, "The message is not valid UTF-8");
  }
}

function parse(text: string): unknown {
  if (text.trim() === "") throw bodyFault(EVENTS, "The message is empty; send an event, an array of events, or { points: [...] }");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyFault(EVENTS, `The message is not valid JSON (${err instanceof Error ? err.message : "parse error"})`);
  }
}

/** The route inside the Hono app (the route walker, app.request): the live server upgrades before Hono runs. */
export function streamRoutes(stream: EventStream) {
  const app = new Hono<AppEnv>();
  app.get(STREAM_PATH, (c) => stream.upgrade(c.req.raw, (c.env as { server?: Server<StreamData> } | undefined)?.server ?? NO_SERVER) ?? new Response(null));
  return app;
}

const NO_SERVER = { upgrade: () => false } as unknown as Server<StreamData>;
