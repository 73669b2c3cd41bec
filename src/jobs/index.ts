import type { Scheduler } from "./scheduler";
import { purgeDeletedProducts } from "../products/delete-product";
import { expireIdempotencyKeys } from "../ingest/idempotency";

/**
 * Every background job, in one table. Areas add theirs here: name, croner pattern, function.
 * Patterns with six fields have seconds. Each function must be idempotent (watermarks in its
 * own tables), because a job may run again after a crash or via runJobNow.
 */
export function registerJobs(scheduler: Scheduler) {
  // areas register here, e.g. scheduler.register("sessions.expire", "17 * * * *", expireSessions)
  // Deleted products' data rows, in small batches (the delete route also starts a run at once).
  scheduler.register("products.purge", "* * * * *", async (deps) => {
    const done = await purgeDeletedProducts(deps);
    if (done.rows) deps.log.info("purged deleted products' data", done);
  });
  // Idempotency keys are kept 24 h (lookups ignore older rows; this removes them).
  scheduler.register("ingest.idempotency-expire", "23 * * * *", async (deps) => {
    await expireIdempotencyKeys(deps);
  });
}
