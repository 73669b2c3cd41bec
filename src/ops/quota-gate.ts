import { AppError } from "../lib/errors";

/**
 * The monthly limit at the ingest hot path (src/ingest/handler.ts): one Map lookup per request,
 * never SQL. The usage job (and a settings change) loads each limited product's limit and this
 * month's stored count; accepted writes add to it in memory between loads, so a product in
 * "pause" mode is refused within a request of crossing its limit, not a minute later.
 */
type Entry = { limit: number; mode: "pause" | "keep"; used: number; monthEnd: number };

export type QuotaGate = {
  /** Throws 429 quota_exceeded when the product is paused past its limit this month. */
  check(productId: string, now: number): void;
  /** Stored rows of an answered request (points or events). */
  add(productId: string, n: number): void;
  /** The product's limit and this month's count, from the database (null: no limit). */
  set(productId: string, entry: { limit: number; mode: "pause" | "keep"; used: number; monthEnd: number } | null): void;
};

export function createQuotaGate(): QuotaGate {
  const entries = new Map<string, Entry>();
  return {
    check(productId, now) {
      const e = entries.get(productId);
      if (!e || e.mode !== "pause" || now >= e.monthEnd || e.used < e.limit) return;
      const retryAfter = Math.max(1, Math.ceil((e.monthEnd - now) / 1000));
      throw new AppError(
        429,
        "quota_exceeded",
        `This product reached its monthly limit of ${e.limit.toLocaleString("en-US")} points and events; ingestion is paused until the month ends (UTC) or an owner raises the limit.`,
        { headers: { "Retry-After": String(retryAfter) } },
      );
    },
    add(productId, n) {
      const e = entries.get(productId);
      if (e && n > 0) e.used += n;
    },
    set(productId, entry) {
      if (entry) entries.set(productId, { ...entry });
      else entries.delete(productId);
    },
  };
}
