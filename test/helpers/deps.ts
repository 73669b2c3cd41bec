import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import type { Deps } from "../../src/deps";
import type { Clock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";

/** A fresh temp DATA_DIR for a test; removed by the returned function. */
export function tempDir(prefix = "litekpi-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Rate limits far above what tests send; a test of the limits passes its own env. */
const TEST_ENV = {
  RATE_LIMIT_KEY_RPS: "1000000",
  RATE_LIMIT_PRODUCT_RPS: "1000000",
  RATE_LIMIT_AUTH_PER_IP: "100000",
  RATE_LIMIT_AUTH_PER_EMAIL: "100000",
  RATE_LIMIT_AUTH_FAILURES_PER_EMAIL: "100000",
  RATE_LIMIT_TRACK_PER_IP_RPS: "1000000",
  // The CI's chdb lane runs the same tests with STORAGE=chdb (README "Storage engines").
  STORAGE: process.env.STORAGE ?? "sqlite",
};

/**
 * THE way tests build Deps: the real createDeps (real SQLite file, migrations, services) on a
 * temp DATA_DIR, with the test environment. `close()` closes the services and removes the dir
 * (unless the caller gave its own dataDir).
 */
export async function createTestDeps(opts: { env?: Record<string, string>; clock?: Clock; dataDir?: string } = {}): Promise<{ deps: Deps; dataDir: string; close(): Promise<void> }> {
  const dir = opts.dataDir ? { path: opts.dataDir, remove() {} } : tempDir();
  const config = loadConfig({ ...TEST_ENV, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent", ...opts.env, DATA_DIR: dir.path });
  const deps = await createDeps(config, { clock: opts.clock, log: createLogger(config.logLevel) });
  return {
    deps,
    dataDir: dir.path,
    async close() {
      await deps.close();
      dir.remove();
    },
  };
}
