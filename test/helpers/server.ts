import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config } from "../../src/config";
import { createDeps } from "../../src/boot";
import type { Deps } from "../../src/deps";
import { startServer } from "../../src/server";
import type { Clock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";

export type TestServer = {
  url: string;
  deps: Deps;
  dataDir: string;
  /** fetch relative to the server's URL. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
};

/** A fresh temp DATA_DIR for a test; removed by the returned function. */
export function tempDir(prefix = "litekpi-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The real app on a random loopback port, with a temp DATA_DIR and a real SQLite file.
 * Rate limits are raised far above what tests send, except where a test passes its own env.
 */
export async function startTestServer(opts: { env?: Record<string, string>; clock?: Clock; dataDir?: string; startJobs?: boolean } = {}): Promise<TestServer> {
  const dir = opts.dataDir ? { path: opts.dataDir, remove() {} } : tempDir();
  const config: Config = loadConfig({
    RATE_LIMIT_KEY_RPS: "1000000",
    RATE_LIMIT_PRODUCT_RPS: "1000000",
    RATE_LIMIT_AUTH_PER_IP: "100000",
    RATE_LIMIT_AUTH_PER_EMAIL: "100000",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    ...opts.env,
    DATA_DIR: dir.path,
  });
  const deps = await createDeps(config, { clock: opts.clock, log: createLogger(config.logLevel) });
  const server = startServer(deps, { port: 0, host: "127.0.0.1" });
  // Jobs run only when a test asks (or through deps.scheduler.runJobNow), so tests stay deterministic.
  if (opts.startJobs) deps.scheduler.start();
  // Links in mail and redirects must point at this server, not the default BASE_URL.
  if (!opts.env?.BASE_URL) deps.config.baseUrl = server.url;
  return {
    url: server.url,
    deps,
    dataDir: dir.path,
    fetch: (path, init) => fetch(server.url + path, { redirect: "manual", ...init }),
    async stop() {
      await server.stop();
      dir.remove();
    },
  };
}
