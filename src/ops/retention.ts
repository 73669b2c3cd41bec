import { and, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { retentionRules } from "../db/schema";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import { nameProblem } from "../lib/names";
import { AppError } from "../lib/errors";
import { parseOrThrow } from "../lib/validate";
import type { WriteQueue } from "../writer/queue";

/**
 * Retention (DESIGN.md "Operations"): "keep raw data N days" per product, and per event
 * namespace. The job deletes raw points and events past it through the writer, in batches;
 * rollups stay, so charts from rollups do not change. The product's own rule (namespace '')
 * covers raw points and the events of every namespace without a rule of its own.
 */
export const PRODUCT_RULE = "";
export const MAX_RETENTION_DAYS = 36_500;
// Raw rows per writer transaction (DESIGN.md: ingestion never waits behind one huge DELETE).
export const RETENTION_BATCH_SIZE = 2000;
const DAY_MS = 86_400_000;

export const RetentionDaysSchema = v.pipe(
  v.number("Days must be a whole number"),
  v.integer("Days must be a whole number"),
  v.minValue(1, "Keep raw data at least 1 day"),
  v.maxValue(MAX_RETENTION_DAYS, `At most ${MAX_RETENTION_DAYS} days (or keep it for ever)`),
);

export type RetentionRule = { namespace: string; days: number };

/** "", "forever" or "never" clear the rule; otherwise a whole number of days. */
export function parseDays(input: string): number | null {
  const s = input.trim().toLowerCase();
  if (s === "" || s === "forever" || s === "never" || s === "null") return null;
  return parseOrThrow(RetentionDaysSchema, /^\d+$/.test(s) ? Number(s) : NaN, "days");
}

/** Sets (days) or clears (null: kept for ever) the product's rule or a namespace's. */
export function setRetention(db: Db, productId: string, input: { days: number | null; namespace?: string | null }, now: number): RetentionRule[] {
  const namespace = input.namespace?.trim() || PRODUCT_RULE;
  if (namespace !== PRODUCT_RULE) {
    const problem = nameProblem(namespace, "namespace");
    if (problem) throw new AppError(400, "invalid_input", problem, { field: "namespace" });
  }
  const where = and(eq(retentionRules.productId, productId), eq(retentionRules.namespace, namespace));
  if (input.days === null) db.delete(retentionRules).where(where).run();
  else {
    const days = parseOrThrow(RetentionDaysSchema, input.days, "days");
    db.insert(retentionRules)
      .values({ productId, namespace, days, updatedAt: now })
      .onConflictDoUpdate({ target: [retentionRules.productId, retentionRules.namespace], set: { days, updatedAt: now } })
      .run();
  }
  return listRetention(db, productId);
}

/** The product's rule first ('' namespace), then namespaces by name. */
export function listRetention(db: Db, productId: string): RetentionRule[] {
  return db
    .select({ namespace: retentionRules.namespace, days: retentionRules.days })
    .from(retentionRules)
    .where(eq(retentionRules.productId, productId))
    .orderBy(retentionRules.namespace)
    .all();
}

/**
 * The horizon of a rule: N days before now, down to the UTC midnight before it, so raw data
 * always ends on a day boundary and at least N whole days are kept.
 */
export const horizonOf = (days: number, now: number) => Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS;

/**
 * The job (src/jobs/index.ts). Idempotent by nature: it deletes what is older than each rule's
 * horizon, batch by batch, yielding between batches; a crash resumes at the next run.
 */
export async function applyRetention(
  deps: { db: Db; clock: Clock; log: Logger; queue: Pick<WriteQueue, "deleteOldPoints" | "deleteOldEvents" | "deleteOldWeb"> },
): Promise<{ points: number; events: number; web: number }> {
  const rules = deps.db.select().from(retentionRules).all();
  const byProduct = new Map<string, RetentionRule[]>();
  for (const r of rules) byProduct.set(r.productId, [...(byProduct.get(r.productId) ?? []), r]);
  const now = deps.clock.now();
  const total = { points: 0, events: 0, web: 0 };
  const drain = async (step: () => Promise<number>) => {
    let n = 0;
    for (let got = -1; got !== 0; ) n += got = await step();
    return n;
  };
  for (const [productId, list] of byProduct) {
    try {
      const own = list.find((r) => r.namespace === PRODUCT_RULE);
      const namespaces = list.filter((r) => r.namespace !== PRODUCT_RULE);
      if (own) {
        const before = horizonOf(own.days, now);
        total.points += await drain(() => deps.queue.deleteOldPoints(productId, before, RETENTION_BATCH_SIZE));
        const exclude = namespaces.map((r) => r.namespace);
        total.events += await drain(() => deps.queue.deleteOldEvents(productId, before, { exclude }, RETENTION_BATCH_SIZE));
        total.web += await drain(() => deps.queue.deleteOldWeb(productId, before, RETENTION_BATCH_SIZE));
      }
      for (const r of namespaces) {
        const before = horizonOf(r.days, now);
        total.events += await drain(() => deps.queue.deleteOldEvents(productId, before, { namespace: r.namespace }, RETENTION_BATCH_SIZE));
      }
    } catch (err) {
      deps.log.error("retention failed for a product; the next run tries again", { productId, err });
    }
  }
  return total;
}
