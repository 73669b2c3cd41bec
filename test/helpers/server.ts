import { startServer } from "../../src/server";
import type { Deps } from "../../src/deps";
import type { Clock } from "../../src/lib/clock";
import { createTestDeps, tempDir } from "./deps";

export { tempDir };

export type TestServer = {
  url: string;
  deps: Deps;
  dataDir: string;
  /** fetch relative to the server's URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
};

/**
 * The real app on a random loopback port, with a temp DATA_DIR and a real SQLite file (the one
 * createTestDeps). Rate limits are raised far above what tests send, except where a test passes its own env.
 */
export async function startTestServer(opts: { env?: Record<string, string>; clock?: Clock; dataDir?: string; startJobs?: boolean } = {}): Promise<TestServer> {
  const made = await createTestDeps({ env: opts.env, clock: opts.clock, dataDir: opts.dataDir });
  const deps = made.deps;
  const server = startServer(deps, { port: 0, host: "127.0.0.1" });
  // Jobs run only when a test asks (or through deps.scheduler.runJobNow), so tests stay deterministic.
  if (opts.startJobs) deps.scheduler.start();
  // Links in mail and redirects must point at this server, not the default BASE_URL.
  if (!opts.env?.BASE_URL) deps.config.baseUrl = server.url;
  return {
    url: server.url,
    deps,
    dataDir: made.dataDir,
    fetch: (path, init) => fetch(server.url + path, { redirect: "manual", ...init }),
    async stop() {
      await server.stop(); // closes the deps too
      await made.close(); // and removes the temp DATA_DIR
    },
  };
}
