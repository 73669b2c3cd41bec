import { createApp } from "./app";
import { createIngestHandler, INGEST_ROUTES } from "./ingest/handler";
import type { Deps } from "./deps";
import type { Server } from "bun";
import { createDrain } from "./http/drain";

/** Bun's socket-level cap answers an empty 413 before Hono runs, so it sits above the API's 1 MiB. */
export const SOCKET_BODY_LIMIT = 2 * 1024 * 1024;

export type RunningServer = { url: string; port: number; stop(): Promise<void> };

// After the listener closes, a stop waits at most DRAIN_MAX_MS for in-flight requests, until quiet.
const DRAIN_MAX_MS = 10_000;
const DRAIN_QUIET_MS = 100;

/**
 * Starts Hono on Bun.serve. stop(): tell keep-alive clients to close (src/http/drain.ts), stop
 * listening, answer every request already read, then close every service.
 */
export function startServer(deps: Deps, opts: { port?: number; host?: string } = {}): RunningServer {
  const ingest = createIngestHandler(deps);
  const app = createApp(deps, { ingest });
  const drain = createDrain();
  // The ingestion endpoints skip Hono (Bun matches these before `fetch`); other methods on the
  // same paths still reach the app and its 404/405 answers.
  const routes = Object.fromEntries(Object.entries(INGEST_ROUTES).map(([path, kind]) => [path, { POST: (req: Request, srv: Server<unknown>) => drain.answer(req, srv, ingest(req, kind, path)) }]));
  const server = Bun.serve({
    routes,
    port: opts.port ?? deps.config.port,
    hostname: opts.host ?? deps.config.host,
    maxRequestBodySize: SOCKET_BODY_LIMIT,
    idleTimeout: 60,
    fetch: (req, srv) => drain.answer(req, srv, app.fetch(req, { server: srv })),
  });
  const host = server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    stop() {
      stopping ??= (async () => {
        await drain.announce();
        const stopped = server.stop(false);
        const deadline = performance.now() + DRAIN_MAX_MS;
        for (let quietSince = performance.now(); performance.now() < deadline; await Bun.sleep(10)) {
          if (server.pendingRequests > 0) quietSince = performance.now();
          else if (performance.now() - quietSince >= DRAIN_QUIET_MS) break;
        }
        await Promise.race([stopped, Bun.sleep(DRAIN_QUIET_MS)]);
        await deps.close();
      })();
      return stopping;
    },
  };
}
