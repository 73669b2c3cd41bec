import { Cron } from "croner";
import { sql } from "drizzle-orm";
import type { Deps } from "../deps";
import { jobs } from "../db/schema";

/**
 * THE job table's runner: in-process croner jobs. Each run is recorded in `jobs` (started,
 * finished, last error). A job that throws is logged and simply runs again at its next tick;
 * it never stops the server. Runs of one job never overlap. `runJobNow(name)` for tests/admins.
 * Jobs keep their own watermarks (e.g. reports.next_run_at) so a restart neither skips nor repeats.
 */
export type JobFn = (deps: Deps) => void | Promise<void>;
type Job = { name: string; schedule: string; fn: JobFn; cron: Cron | null; running: Promise<void> | null };

export type Scheduler = {
  register(name: string, schedule: string, fn: JobFn): void;
  runJobNow(name: string): Promise<void>;
  start(): void;
  stop(): Promise<void>;
  names(): string[];
};

export function createScheduler(deps: Deps): Scheduler {
  const registry = new Map<string, Job>();
  let started = false;

  const run = (job: Job): Promise<void> => {
    if (job.running) return job.running; // never overlap: a tick during a run joins it
    job.running = (async () => {
      const startedAt = deps.clock.now();
      deps.db
        .insert(jobs)
        .values({ name: job.name, lastStartedAt: startedAt, runs: 1 })
        .onConflictDoUpdate({ target: jobs.name, set: { lastStartedAt: startedAt, runs: sql`${jobs.runs} + 1` } })
        .run();
      let error: string | null = null;
      try {
        await job.fn(deps);
      } catch (err) {
        error = err instanceof Error ? `${err.message}${err.cause ? ` (cause: ${String(err.cause)})` : ""}` : String(err);
        deps.log.error("job failed; it will run again at its next tick", { job: job.name, err });
      }
      try {
        deps.db.update(jobs).set({ lastFinishedAt: deps.clock.now(), lastError: error }).where(sql`${jobs.name} = ${job.name}`).run();
      } catch {
        // the database may be closing during shutdown; the run itself already finished
      }
    })().finally(() => {
      job.running = null;
    });
    return job.running;
  };

  const arm = (job: Job) => {
    job.cron = new Cron(job.schedule, { protect: true, catch: true, unref: true }, () => void run(job));
  };

  return {
    register(name, schedule, fn) {
      if (registry.has(name)) throw new Error(`job ${name} registered twice`);
      const job: Job = { name, schedule, fn, cron: null, running: null };
      registry.set(name, job);
      if (started) arm(job);
    },
    runJobNow(name) {
      const job = registry.get(name);
      if (!job) throw new Error(`no job named ${name}`);
      return run(job);
    },
    start() {
      if (started) return;
      started = true;
      for (const job of registry.values()) arm(job);
    },
    async stop() {
      started = false;
      for (const job of registry.values()) job.cron?.stop();
      await Promise.all([...registry.values()].map((j) => j.running ?? Promise.resolve()));
    },
    names: () => [...registry.keys()],
  };
}
