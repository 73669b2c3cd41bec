import { join } from "node:path";
import type { Subprocess } from "bun";
import { openDatabase, closeDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";
import { createKey } from "../../src/products/keys";
import { createSession, SESSION_COOKIE } from "../../src/auth/session";
import { REPO } from "../lib/rpc";
import { freePort, memoryOf, pinnedToServerCore, spawnTracked, stopProcess, tempDir, waitForHttp } from "../lib/procs";
import type { Target } from "../lib/load";

/**
 * Our server as a child process (`bun src/main.ts`, pinned to the server core) on 127.0.0.1 with
 * a temp DATA_DIR and rate limits far above the load. Users, products and keys are made first
 * with the same domain functions the CLI uses, on the same SQLite file.
 */
export type OurProduct = { id: string; ingestKey: string; readKey: string };
export type Ours = {
  url: string;
  pid: number;
  proc: Subprocess;
  dataDir: string;
  dbPath: string;
  sync: "full" | "normal";
  userId: string;
  sessionCookie: string;
  products: Record<string, OurProduct>;
  ingestTarget(product: string, path?: string): Target;
  readHeaders(product: string): Record<string, string>;
  memory(): { rssMb: number; hwmMb: number } | null;
  stop(): Promise<void>;
};

export const OUR_DURABILITY = {
  full: "synchronous=FULL: fsync per group commit, acked = on disk",
  normal: "LITEKPI_SYNC=normal: WAL, no fsync per commit (safe on crash, not power loss)",
};

export function serverEnv(dataDir: string, port: number, sync: "full" | "normal") {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    PORT: String(port),
    LITEKPI_SYNC: sync,
    LOG_LEVEL: "warn",
    RATE_LIMIT_KEY_RPS: "1000000000",
    RATE_LIMIT_PRODUCT_RPS: "1000000000",
    RATE_LIMIT_AUTH_PER_IP: "1000000",
    RATE_LIMIT_AUTH_PER_EMAIL: "1000000",
    MAX_SERIES_PER_PRODUCT: "1000000",
    RATE_LIMIT_TRACK_PER_IP_RPS: "1000000000",
  };
}

/** Spawns the server and waits for /healthz; returns the ms from spawn to the first 200. */
export async function spawnServer(dataDir: string, sync: "full" | "normal", bunArgs: string[] = [], env: Record<string, string> = {}) {
  const port = freePort();
  const t0 = performance.now();
  const proc = spawnTracked(pinnedToServerCore([process.execPath, ...bunArgs, "src/main.ts"]), { cwd: REPO, env: { ...serverEnv(dataDir, port, sync), ...env }, stderr: "inherit" });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, { proc, pollMs: 2 });
  return { proc, port, url: `http://127.0.0.1:${port}`, startMs: performance.now() - t0 };
}

export async function startOurs(opts: { sync: "full" | "normal"; products: string[]; bunArgs?: string[]; env?: Record<string, string> }): Promise<Ours & { startMs: number }> {
  const dataDir = tempDir(`ours-${opts.sync}`);
  const dbPath = join(dataDir, "litekpi.db");
  const db = openDatabase(dbPath, { sync: opts.sync });
  await migrate(db.$client);
  const now = Date.now();
  const user = await createUser(db, { email: "bench@example.com", password: "benchmark-password", verified: true }, now);
  const products: Record<string, OurProduct> = {};
  for (const name of opts.products) {
    const product = createProduct(db, { ownerId: user.id, name: `bench ${name}`, timezone: "UTC" }, now);
    products[name] = {
      id: product.id,
      ingestKey: createKey(db, { productId: product.id, scope: "ingest" }, now).secret,
      readKey: createKey(db, { productId: product.id, scope: "read" }, now).secret,
    };
  }
  const { token } = createSession(db, user.id, now);
  closeDatabase(db);

  const { proc, url, startMs } = await spawnServer(dataDir, opts.sync, opts.bunArgs, opts.env);
  return {
    url,
    pid: proc.pid,
    proc,
    dataDir,
    dbPath,
    sync: opts.sync,
    userId: user.id,
    sessionCookie: `${SESSION_COOKIE}=${token}`,
    products,
    startMs,
    ingestTarget: (product, path = "/api/v1/points") => ({
      name: `ours(${opts.sync})`,
      url: url + path,
      headers: { "content-type": "application/json", authorization: `Bearer ${products[product]!.ingestKey}` },
    }),
    readHeaders: (product) => ({ "content-type": "application/json", authorization: `Bearer ${products[product]!.readKey}` }),
    memory: () => memoryOf(proc.pid),
    stop: () => stopProcess(proc),
  };
}
