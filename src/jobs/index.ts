import type { Scheduler } from "./scheduler";
import { purgeDeletedProducts } from "../products/delete-product";
import { expireIdempotencyKeys } from "../ingest/idempotency";
import { deleteExpiredSessions } from "../auth/session";
import { deleteExpiredPendingRegistrations } from "../auth/pending-registration";
import { deleteExpiredEmailTokens } from "../auth/email-tokens";
import { runDueReports } from "../reports/jobs";
import { runScheduledBackup } from "../ops/scheduled-backup";
import { dataPlaneNotice } from "../ops/backup";
import { applyRetention } from "../ops/retention";
import { checkUsage } from "../ops/usage";
import { createSaltKeeper } from "../web/enrich/visitor-id";
import { completeUserDays } from "../insights/user-days-job";
import { evaluateAlerts } from "../alerts/tick";
import { deliverWebhooks, pruneDeliveryLog } from "../webhooks/deliver";

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
  // Sessions and pending registrations past their expiry (validation already refuses them) and
  // email tokens a week past theirs.
  scheduler.register("auth.expire", "17 * * * *", (deps) => {
    const now = deps.clock.now();
    const removed = {
      sessions: deleteExpiredSessions(deps.db, now),
      pendingRegistrations: deleteExpiredPendingRegistrations(deps.db, now),
      emailTokens: deleteExpiredEmailTokens(deps.db, now),
    };
    if (removed.sessions || removed.pendingRegistrations || removed.emailTokens) deps.log.info("expired sessions and email tokens removed", removed);
  });
  // Email reports: due runs (watermark reports.next_run_at), retries and sends interrupted by a crash.
  scheduler.register("reports.run", "* * * * *", async (deps) => {
    await runDueReports(deps);
  });
  // Idempotency keys are kept 24 h (lookups ignore older rows; this removes them).
  scheduler.register("ingest.idempotency-expire", "23 * * * *", async (deps) => {
    await expireIdempotencyKeys(deps);
  });
  // A daily backup into BACKUP_DIR (off when unset), pruned to the newest BACKUP_KEEP; at 03:17
  // server time, off the round hour when other machines' cron jobs crowd the disk.
  scheduler.register("ops.backup", "17 3 * * *", async (deps) => {
    const done = await runScheduledBackup(deps);
    if (done) deps.log.info("scheduled backup written", done);
    const notice = done && dataPlaneNotice(deps.config.storage.engine, deps.config.dataDir);
    if (notice) deps.log.warn(notice);
  });
  // Retention: raw points and events past each product's (and namespace's) "keep N days", in batches through the writer.
  scheduler.register("ops.retention", "41 * * * *", async (deps) => {
    const removed = await applyRetention(deps);
    if (removed.points || removed.events || removed.web) deps.log.info("retention removed raw rows", removed);
  });
  // Web visitor salts: a new UTC day's salt is written and yesterday's deleted, even on a day no page
  // view arrives at midnight (the tracking handler does the same at its first request of the day).
  scheduler.register("web.salts", "* * * * *", (deps) => {
    createSaltKeeper(deps.db.$client).rotate(deps.clock.now());
  });
  // Usage limits: reload the ingest gate; mails at 80/90/100 % (watermark usage_alerts, once per month each).
  scheduler.register("ops.usage", "* * * * *", async (deps) => {
    await checkUsage({ ...deps, gate: deps.limits.ingest.quota, baseUrl: deps.config.baseUrl });
  });
  // Active-user days of a zone that started after its product had events (a zone change), from raw events.
  scheduler.register("insights.user-days", "*/5 * * * *", async (deps) => {
    const done = await completeUserDays(deps);
    if (done.zones) deps.log.info("active-user days completed", done);
  });
  // Alerts: every rule judged at each minute boundary since its watermark (alerts.evaluated_through),
  // then notifications sent (retries with backoff) and email digests whose period ended.
  scheduler.register("alerts.evaluate", "* * * * *", async (deps) => {
    const done = await evaluateAlerts(deps);
    if (done.started || done.resolved || done.failed) deps.log.info("alerts evaluated", done);
  });
  // Product webhooks: the outbox (webhook_deliveries) every 5 s — pending messages and retries whose backoff passed.
  scheduler.register("webhooks.deliver", "*/5 * * * * *", async (deps) => {
    await deliverWebhooks(deps);
  });
  // The webhook delivery log keeps 30 days of finished deliveries.
  scheduler.register("webhooks.prune", "53 * * * *", (deps) => {
    const removed = pruneDeliveryLog(deps);
    if (removed) deps.log.info("old webhook deliveries removed", { removed });
  });
}
