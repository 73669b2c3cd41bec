import { and, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { memberships, products, usageAlerts, usageLimits, users } from "../db/schema";
import type { Clock } from "../lib/clock";
import type { Logger } from "../lib/log";
import type { Mailer } from "../mail/mailer";
import { parseOrThrow } from "../lib/validate";
import { monthOf } from "../writer/usage";
import { productUrl } from "../products/urls";
import type { QuotaGate } from "./quota-gate";
import { usageLimitEmail } from "../../views/emails/usage-limit";

/**
 * Usage per product per month (DESIGN.md "Operations", seed 001 FR-10): points, events and page views
 * stored in the UTC month, counted by the flush (src/writer/usage.ts); an optional monthly
 * limit on their sum with a choice at 100 %: "pause" (ingestion answers 429 quota_exceeded) or
 * "keep"; mails to the owners at 80, 90 and 100 %, each once per month (usage_alerts).
 */
export const THRESHOLDS = [80, 90, 100] as const;
export type LimitMode = "pause" | "keep";
export type Usage = { month: string; points: number; events: number; pageviews: number; total: number; limit: number | null; mode: LimitMode | null; percent: number | null };

export const LimitSchema = v.pipe(v.number("The limit is a whole number"), v.integer("The limit is a whole number"), v.minValue(1, "The limit is at least 1"), v.maxValue(1e15, "That limit is too large"));
export const ModeSchema = v.picklist(["pause", "keep"], "Choose pause or keep");

/** "", "none" or "off" clear the limit; otherwise a whole number (1_000_000 and 1,000,000 read as 1000000). */
export function parseLimit(input: string): number | null {
  const s = input.trim().toLowerCase().replace(/[_,\s]/g, "");
  if (s === "" || s === "none" || s === "off") return null;
  return parseOrThrow(LimitSchema, /^\d+$/.test(s) ? Number(s) : NaN, "limit");
}

/** The UTC month of `now` and where it ends (the next month's first instant). */
export function monthBounds(now: number): { month: string; end: number } {
  const d = new Date(now);
  return { month: monthOf(now), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

export function getUsage(db: Db, productId: string, now: number): Usage {
  const { month } = monthBounds(now);
  const row = db.$client.query("SELECT points, events, pageviews FROM usage_monthly WHERE product_id = ? AND month = ?").get(productId, month) as { points: number; events: number; pageviews: number } | null;
  const limit = db.select().from(usageLimits).where(eq(usageLimits.productId, productId)).get();
  const points = row?.points ?? 0;
  const events = row?.events ?? 0;
  const pageviews = row?.pageviews ?? 0;
  const total = points + events + pageviews;
  return {
    month,
    points,
    events,
    pageviews,
    total,
    limit: limit?.monthlyLimit ?? null,
    mode: (limit?.mode as LimitMode | undefined) ?? null,
    percent: limit ? Math.floor((total * 100) / limit.monthlyLimit) : null,
  };
}

/** Sets (or, with limit null, removes) the monthly limit, and tells the gate at once. */
export function setUsageLimit(deps: { db: Db; gate?: QuotaGate }, productId: string, input: { limit: number | null; mode?: string }, now: number): Usage {
  if (input.limit === null) deps.db.delete(usageLimits).where(eq(usageLimits.productId, productId)).run();
  else {
    const monthlyLimit = parseOrThrow(LimitSchema, input.limit, "limit");
    const mode = parseOrThrow(ModeSchema, input.mode || "keep", "mode");
    deps.db
      .insert(usageLimits)
      .values({ productId, monthlyLimit, mode, updatedAt: now })
      .onConflictDoUpdate({ target: usageLimits.productId, set: { monthlyLimit, mode, updatedAt: now } })
      .run();
  }
  const usage = getUsage(deps.db, productId, now);
  if (deps.gate) loadGate(deps.gate, productId, usage, now);
  return usage;
}

function loadGate(gate: QuotaGate, productId: string, u: Usage, now: number) {
  gate.set(productId, u.limit === null ? null : { limit: u.limit, mode: u.mode!, used: u.total, monthEnd: monthBounds(now).end });
}

/**
 * The job (src/jobs/index.ts): reloads the gate from the stored counts (a limit set by the CLI
 * counts within a minute) and mails each threshold crossed this month whose watermark row is
 * missing. Past two thresholds at once, one mail names the highest and marks both. The row is
 * written before the send and removed again if the send fails, so a mail is never sent twice
 * and a failed one is tried at the next run.
 */
export async function checkUsage(deps: { db: Db; clock: Clock; log: Logger; mailer: Mailer; gate: QuotaGate; baseUrl: string }): Promise<{ mails: number }> {
  const now = deps.clock.now();
  const limited = deps.db.select({ productId: usageLimits.productId, name: products.name }).from(usageLimits).innerJoin(products, eq(products.id, usageLimits.productId)).all();
  let mails = 0;
  for (const { productId, name } of limited) {
    try {
      const usage = getUsage(deps.db, productId, now);
      loadGate(deps.gate, productId, usage, now);
      const crossed = THRESHOLDS.filter((t) => usage.total * 100 >= usage.limit! * t);
      if (!crossed.length) continue;
      const sent = new Set(
        deps.db.select({ t: usageAlerts.threshold }).from(usageAlerts).where(and(eq(usageAlerts.productId, productId), eq(usageAlerts.month, usage.month))).all().map((r) => r.t),
      );
      const fresh = crossed.filter((t) => !sent.has(t));
      if (!fresh.length) continue;
      const threshold = fresh[fresh.length - 1]!;
      const rows = fresh.map((t) => ({ productId, month: usage.month, threshold: t, sentAt: now }));
      deps.db.insert(usageAlerts).values(rows).onConflictDoNothing().run();
      try {
        const to = ownerEmails(deps.db, productId);
        if (to.length) {
          const url = deps.baseUrl + productUrl(productId, "settings", "data");
          await deps.mailer.send(await usageLimitEmail({ to, productName: name, threshold, used: usage.total, limit: usage.limit!, mode: usage.mode!, month: usage.month, url, baseUrl: deps.baseUrl }));
          mails++;
        }
      } catch (err) {
        for (const t of fresh) {
          deps.db.delete(usageAlerts).where(and(eq(usageAlerts.productId, productId), eq(usageAlerts.month, usage.month), eq(usageAlerts.threshold, t))).run();
        }
        throw err;
      }
    } catch (err) {
      deps.log.error("usage check failed for a product; the next run tries again", { productId, err });
    }
  }
  return { mails };
}

/** The product owners' addresses (the usage mails, a switched-off webhook). */
export function ownerEmails(db: Db, productId: string): string[] {
  return db
    .select({ email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.productId, productId), eq(memberships.role, "owner")))
    .all()
    .map((r) => r.email);
}

/** At start-up: every limited product's gate entry, before the first request. */
export function loadQuotas(db: Db, gate: QuotaGate, now: number) {
  for (const { productId } of db.select({ productId: usageLimits.productId }).from(usageLimits).all()) loadGate(gate, productId, getUsage(db, productId, now), now);
}
