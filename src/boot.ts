import { existsSync, readFileSync, mkdirSync } from "node:fs";
import { writeFileAtomic } from "./lib/atomic-write";
import { join } from "node:path";
import type { Config } from "./config";
import { openDatabase, closeDatabase } from "./db/connection";
import { migrate } from "./db/migrate";
import { backupBeforeMigrations } from "./ops/pre-migration-backup";
import { type Deps, lifecycle } from "./deps";
import { type Clock, systemClock } from "./lib/clock";
import { createLogger, type Logger } from "./lib/log";
import { randomToken } from "./lib/tokens";
import { createMailer } from "./mail/mailer";
import { createScheduler } from "./jobs/scheduler";
import { registerJobs } from "./jobs/index";
import { createWriteQueue } from "./writer/queue";
import { createAuthLimits } from "./auth/rate-limits";
import { createIngestLimits } from "./ingest/rate-limits";
import { createKeyCache } from "./products/keys";
import { loadQuotas } from "./ops/usage";
import { openDataPlane, storageInit } from "./storage/open";
import { bindDataPlane } from "./storage";

/** config → data dir → secret → database → migrations → services. Used by main, the CLI and tests. */
export async function createDeps(config: Config, opts: { clock?: Clock; log?: Logger; onWriterFatal?: (err: Error) => void } = {}): Promise<Deps> {
  const log = opts.log ?? createLogger(config.logLevel);
  const clock = opts.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true });
  const secret = config.secret ?? loadOrCreateSecret(config.dataDir);
  const dbPath = join(config.dataDir, "litekpi.db");
  const db = openDatabase(dbPath, { sync: config.sync });
  await backupBeforeMigrations(db.$client, config.dataDir, clock.now(), log);
  const { applied } = await migrate(db.$client);
  if (applied.length) log.info("migrations applied", { applied });
  const life = lifecycle();
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.smtpFrom, db, log, clock, outboxDir: join(config.dataDir, "outbox") });
  // Registered first so they run last: the database closes after every other service drained.
  life.onClose(() => closeDatabase(db));
  // The query engine's own connection: read-only, so no read can ever take the write lock.
  const reader = openDatabase(dbPath, { readonly: true });
  life.onClose(() => reader.$client.close());
  // The data plane (STORAGE): both connections' queries run on it; it closes after the writer.
  const storage = storageInit(config);
  const data = openDataPlane(storage);
  if (data.applied.length) log.info("clickhouse migrations applied", { applied: data.applied });
  for (const conn of [db, reader]) bindDataPlane(conn.$client, data.plane);
  life.onClose(() => data.close());
  life.onClose(() => mailer.close());
  // The writer thread drains (SIGTERM commits queued writes) after jobs stop and before the
  // database closes; it starts at the first write (main starts it at once when serving).
  const queue = createWriteQueue({
    init: { dbPath, sync: config.sync, maxSeriesPerProduct: config.maxSeriesPerProduct, webFoldMs: config.webFoldMs, logLevel: config.logLevel, storage },
    log,
    clock,
    onFatal: opts.onWriterFatal ?? (() => {}),
  });
  life.onClose(() => queue.close());
  const inMemory = { limits: { auth: createAuthLimits(config), ingest: createIngestLimits(config) }, keys: createKeyCache(db) };
  // Products paused at their monthly limit are refused from the first request on (the usage job reloads it).
  loadQuotas(db, inMemory.limits.ingest.quota, clock.now());
  const deps: Deps = { config: { ...config, secret }, db, reader, clock, log, mailer, scheduler: null as never, queue, ...inMemory, onClose: life.onClose, close: life.close };
  deps.scheduler = createScheduler(deps);
  registerJobs(deps.scheduler);
  // Jobs stop (and finish a run in progress) before the services they use close.
  life.onClose(() => deps.scheduler.stop());
  return deps;
}

/** SECRET signs cookies-free links (unsubscribe) and keys the visitor hash; generated once, kept in DATA_DIR. */
function loadOrCreateSecret(dataDir: string): string {
  const path = join(dataDir, "secret");
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const secret = randomToken(32);
  writeFileAtomic(path, secret + "\n", 0o600);
  return secret;
}
