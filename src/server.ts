import { createApp } from "./app";
import { createIngestHandler, INGEST_ROUTES } from "./ingest/handler";
import type { Deps } from "./deps";

/** Bun's socket-level cap answers an empty 413 before Hono runs, so it sits above the API's 1 MiB. */
export const SOCKET_BODY_LIMIT = 2 * 1024 * 1024;

export type RunningServer = { url: string; port: number; stop(): Promise<void> };

/** Starts Hono on Bun.serve. stop(): stop accepting, finish in-flight requests, then close every service. */
export function startServer(deps: Deps, opts: { port?: number; host?: string } = {}): RunningServer {
  const ingest = createIngestHandler(deps);
  const app = createApp(deps, { ingest });
  // The ingestion endpoints skip Hono (Bun matches these before `fetch`); other methods on the
  // same paths still reach the app and its 404/405 answers.
  const routes = Object.fromEntries(Object.entries(INGEST_ROUTES).map(([path, kind]) => [path, { POST: (req: Request) => ingest(req, kind) }]));
  const server = Bun.serve({
    routes,
    port: opts.port ?? deps.config.port,
    hostname: opts.host ?? deps.config.host,
    maxRequestBodySize: SOCKET_BODY_LIMIT,
    idleTimeout: 60,
    fetch: (req, srv) => app.fetch(req, { server: srv }),
  });
  const host = server.hostname === "0.0.0.0" ? "127.0.0.1" : server.hostname;
  let stopping: Promise<void> | null = null;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port!,
    stop() {
      stopping ??= (async () => {
        await server.stop(false);
        await deps.close();
      })();
      return stopping;
    },
  };
}
