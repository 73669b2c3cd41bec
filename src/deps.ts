import type { Config } from "./config";
import type { Db } from "./db/connection";
import type { Clock } from "./lib/clock";
import type { Logger } from "./lib/log";
import type { Mailer } from "./mail/mailer";
import type { Scheduler } from "./jobs/scheduler";
import type { WriteQueue } from "./writer/queue";
import type { AuthLimits } from "./auth/rate-limits";
import type { IngestLimits } from "./ingest/rate-limits";
import type { KeyCache } from "./products/keys";

/**
 * Everything the app needs, built once in main (or by the test helper) and passed explicitly.
 * Services that hold resources register a closer; `close()` runs them in reverse order
 * (e.g. the write queue drains before the database closes).
 */
export type Deps = {
  config: Config & { secret: string };
  db: Db;
  /** A read-only connection for the query engine, CSV export and metric discovery. */
  reader: Db;
  clock: Clock;
  log: Logger;
  mailer: Mailer;
  /** Background jobs (src/jobs/index.ts); started by main when serving, by tests only on demand. */
  scheduler: Scheduler;
  /** THE write path for data tables: the writer thread and its group commit (src/writer/). */
  queue: WriteQueue;
  /** In-memory brakes (src/auth/rate-limits.ts, src/ingest/rate-limits.ts): one set per running app. */
  limits: { auth: AuthLimits; ingest: IngestLimits };
  /** Active API keys by hash, checked against every change of api_keys (src/products/keys.ts). */
  keys: KeyCache;
  onClose(fn: () => void | Promise<void>): void;
  close(): Promise<void>;
};

export function lifecycle() {
  const closers: (() => void | Promise<void>)[] = [];
  let closed = false;
  return {
    onClose(fn: () => void | Promise<void>) {
      closers.push(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers.reverse()) await fn();
    },
  };
}
