import type { Scheduler } from "./scheduler";

/**
 * Every background job, in one table. Areas add theirs here: name, croner pattern, function.
 * Patterns with six fields have seconds. Each function must be idempotent (watermarks in its
 * own tables), because a job may run again after a crash or via runJobNow.
 */
export function registerJobs(scheduler: Scheduler) {
  void scheduler; // areas register here, e.g. scheduler.register("sessions.expire", "17 * * * *", expireSessions)
}
