import { and, eq, isNull, lte, or } from "drizzle-orm";
import type { Deps } from "../deps";
import type { Db } from "../db/connection";
import { reportDeliveries, reports } from "../db/schema";
import { getProduct } from "../products/products";
import { newId } from "../lib/tokens";
import { formatInZone } from "../lib/time/calendar";
import { attemptDelivery, describeError } from "./run-report";
import { nextRunAfter, type Schedule } from "./schedule";

/**
 * The per-minute report job. Each report's `next_run_at` is its watermark: a due run is claimed
 * in one transaction that inserts its delivery row (unique per report and scheduled instant) and
 * moves the watermark on, so a run is never sent twice, even across a crash or a second tick.
 * A run found less than 15 minutes late (the server was down) is sent; older ones are recorded as
 * skipped with the reason (DESIGN.md). Retries and interrupted sends are picked up here too.
 * Every report is handled inside its own try/catch: one broken report never stops the others.
 */
export const MISSED_GRACE_MS = 15 * 60_000;
/** A 'pending' row this old was being sent by a process that died; this one takes it over. */
export const PENDING_LEASE_MS = 10 * 60_000;
const MAX_CLAIMS_PER_TICK = 1000; // a report down for years records its skips over a few ticks
const CONCURRENCY = 3;

// Deliveries this process is sending right now (keyed by database: tests run several servers).
const inFlight = new WeakMap<object, Set<string>>();

export async function runDueReports(deps: Deps): Promise<{ attempted: number }> {
  const now = deps.clock.now();
  const due = deps.db
    .select({ id: reports.id })
    .from(reports)
    .where(and(isNull(reports.pausedAt), lte(reports.nextRunAt, now)))
    .all();
  const work: string[] = [];
  for (const { id } of due) {
    try {
      work.push(...claimDueRuns(deps, id, now));
    } catch (err) {
      deps.log.error("report schedule could not be advanced", { reportId: id, err });
    }
  }
  const busy = inFlight.get(deps.db) ?? new Set<string>();
  inFlight.set(deps.db, busy);
  // A test send cut off by a crash is not repeated minutes later out of the blue: it is marked failed.
  deps.db
    .update(reportDeliveries)
    .set({ status: "failed", error: "The server stopped while sending this test", updatedAt: now })
    .where(and(eq(reportDeliveries.isTest, 1), eq(reportDeliveries.status, "pending"), lte(reportDeliveries.updatedAt, now - PENDING_LEASE_MS)))
    .run();
  const again = deps.db
    .select({ id: reportDeliveries.id })
    .from(reportDeliveries)
    .where(
      or(
        and(eq(reportDeliveries.status, "retrying"), lte(reportDeliveries.nextAttemptAt, now)),
        and(eq(reportDeliveries.status, "pending"), eq(reportDeliveries.isTest, 0), lte(reportDeliveries.updatedAt, now - PENDING_LEASE_MS)),
      ),
    )
    .all();
  for (const { id } of again) if (!work.includes(id)) work.push(id);
  const todo = work.filter((id) => !busy.has(id));
  await pool(todo, CONCURRENCY, async (id) => {
    busy.add(id);
    try {
      await attemptDelivery(deps, id);
    } catch (err) {
      deps.log.error("report delivery crashed", { deliveryId: id, err: describeError(err) });
    } finally {
      busy.delete(id);
    }
  });
  return { attempted: todo.length };
}

/** Records every run from the watermark up to now (sent if recent, else skipped) and advances it. Returns delivery ids to send. */
export function claimDueRuns(deps: Pick<Deps, "db">, reportId: string, now: number): string[] {
  return deps.db.transaction((tx) => {
    const report = tx
      .select()
      .from(reports)
      .where(and(eq(reports.id, reportId), isNull(reports.pausedAt), lte(reports.nextRunAt, now)))
      .get();
    if (!report) return []; // paused, deleted or claimed meanwhile
    const product = getProduct(tx as unknown as Db, report.productId);
    if (!product) return [];
    const claimed: string[] = [];
    let t = report.nextRunAt!;
    for (let n = 0; t <= now && n < MAX_CLAIMS_PER_TICK; n++) {
      const late = now - t;
      const row = {
        id: newId(),
        reportId,
        productId: report.productId,
        scheduledFor: t,
        isTest: 0,
        attempts: 0,
        createdAt: now,
        updatedAt: now,
        ...(late < MISSED_GRACE_MS
          ? { status: "pending" }
          : { status: "skipped", error: `Missed by ${duration(late)} (the server was not running at ${formatInZone(product.timezone, t).slice(0, 16).replace("T", " ")}); runs more than 15 min late are skipped` }),
      };
      const inserted = tx.insert(reportDeliveries).values(row).onConflictDoNothing().returning({ id: reportDeliveries.id }).get();
      if (inserted && row.status === "pending") claimed.push(inserted.id);
      t = nextRunAfter(report as Schedule, product.timezone, t);
    }
    tx.update(reports).set({ nextRunAt: t }).where(eq(reports.id, reportId)).run();
    return claimed;
  });
}

function duration(ms: number): string {
  const min = Math.floor(ms / 60_000);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ${min % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(size, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
