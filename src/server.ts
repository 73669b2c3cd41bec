import { createApp } from "./app";
import { createIngestHandler, INGEST_ROUTES } from "./ingest/handler";
import type { Deps } from "./deps";
import type { Server } from "bun";
import { createDrain } from "./http/drain";
import { TRACK_ROUTES, trackHandlerFor } from "./web/ingest/handler";
import { createDropInRoutes, dropInServeRoutes } from "./dropins";
import { createEventStream, STREAM_PATH } from "./dropins/stream";
import { startStatsd, type StatsdServer } from "./dropins/statsd";

/** Bun's socket-level cap answers an empty 413 before Hono runs, so it sits above the API's 1 MiB. */
export const SOCKET_BODY_LIMIT = 2 * 1024 * 1024;

export type RunningServer = { url: string; port: number; statsd: Promise<StatsdServer | null>; stop(): Promise<void> };

// After the listener closes, a stop waits at most DRAIN_MAX_MS for in-flight requests, until quiet.
const DRAIN_MAX_MS = 10_000;
const DRAIN_QUIET_MS = 100;

/**
 * Starts Hono on Bun.serve. stop(): tell keep-alive clients to close (src/http/drain.ts), stop
 * listening, answer every request already read, then close every service.
 */
export function startServer(deps: Deps, opts: { port?: number; host?: string } = {}): RunningServer {
  const ingest = createIngestHandler(deps);
  const dropins = createDropInRoutes(deps);
  const stream = createEventStream(deps);
  const app = createApp(deps, { ingest, dropins, stream });
  const drain = createDrain();
  // The ingestion endpoints skip Hono (Bun matches these before `fetch`); other methods on the
  // same paths still reach the app and its 404/405 answers.
  const routes = Object.fromEntries(Object.entries(INGEST_ROUTES).map(([path, kind]) => [path, { POST: (req: Request, srv: Server<unknown>) => drain.answer(req, srv, ingest(req, kind, path)) }]));
  const track = trackHandlerFor(deps);
  for (const [path, endpoint] of Object.entries(TRACK_ROUTES)) {
    const answer = (req: Request, srv: Server<unknown>) => {
      const peer = srv.requestIP(req);
      return drain.answerFor(peer, track(req, peer, endpoint));
    };
    (routes as Record<string, unknown>)[path] = { POST: answer, OPTIONS: answer };
  }
  const server = Bun.serve({
    routes: {
      ...routes,
      ...dropInServeRoutes(dropins, (handle) => (req: Request, srv: Server<unknown>) => drain.answer(req, srv, handle(req))),
      [STREAM_PATH]: { GET: (req: Request, srv: Server<any>) => stream.upgrade(req, srv) as Response },
    },
    websocket: stream.websocket,
    port: opts.port ?? deps.config.port,
    hostname: opts.host ?? deps.config.host,
    maxRequestBodySize: SOCKET_BODY_LIMIT,
    idleTimeout: 60,
    fetch: (req, srv) => drain.answer(req, srv, app.fetch(req, { server: srv })),
  });
  const host = server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname;
  // StatsD over UDP when STATSD_PORT is set; a port it cannot bind is logged, the HTTP server stays up.
  const statsdConfig = deps.config.statsd;
  const statsd = statsdConfig
    ? startStatsd(deps, { port: statsdConfig.port, host: opts.host ?? deps.config.host, key: statsdConfig.key }).catch((err) => {
        deps.log.error("statsd could not listen", { port: statsdConfig.port, err });
        return null;
      })
    : Promise.resolve(null);
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    statsd,
    stop() {
      stopping ??= (async () => {
        // WebSocket streams first: every message already read is answered, then they close (1001).
        await stream.close();
        await drain.announce();
        const stopped = server.stop(false);
        const deadline = performance.now() + DRAIN_MAX_MS;
        for (let quietSince = performance.now(); performance.now() < deadline; await Bun.sleep(10)) {
          if (server.pendingRequests > 0) quietSince = performance.now();
          else if (performance.now() - quietSince >= DRAIN_QUIET_MS) break;
        }
        await Promise.race([stopped, Bun.sleep(DRAIN_QUIET_MS)]);
        // StatsD's last interval is written before the writer drains (points stamped now).
        await (await statsd)?.close();
        await deps.close();
      })();
      return stopping;
    },
  };
}
