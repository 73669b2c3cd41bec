import type { Database } from "bun:sqlite";
import type { BatchResult, WebResult, WriteBatch } from "./batch";

/**
 * Usage metering (DESIGN.md "Operations"): the flush that stores points and events also counts
 * them into usage_monthly, one upsert per product and month per flush, inside the same
 * transaction — so the count is exactly what was stored, and costs the hot path nothing.
 * The month is the UTC month in which the request arrived (what a monthly limit meters).
 */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

// The month of the last batch and its bounds: a flush of 64 requests asked toISOString 64 times.
let lastMonth = { from: 0, to: -1, month: "" };
function cachedMonthOf(ms: number): string {
  if (ms >= lastMonth.from && ms < lastMonth.to) return lastMonth.month;
  const d = new Date(ms);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  lastMonth = { from, to: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1), month: monthOf(ms) };
  return lastMonth.month;
}

export function createUsageCounter(sqlite: Database) {
  const upsert = sqlite.prepare(
    `INSERT INTO usage_monthly (product_id, month, points, events, pageviews) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (product_id, month) DO UPDATE SET points = points + excluded.points, events = events + excluded.events,
       pageviews = pageviews + excluded.pageviews`,
  );
  return {
    /** A fresh tally for one transaction (a rolled-back flush leaves no count behind). */
    tally() {
      const counts = new Map<string, { productId: string; month: string; points: number; events: number; pageviews: number }>();
      return {
        add(batch: WriteBatch, result: BatchResult) {
          if (result.accepted === 0) return;
          const month = cachedMonthOf(batch.now);
          const key = batch.productId + "\u0000" + month;
          let c = counts.get(key);
          if (!c) counts.set(key, (c = { productId: batch.productId, month, points: 0, events: 0, pageviews: 0 }));
          if (batch.kind === "points") c.points += result.accepted;
          else if (batch.kind === "web") c.pageviews += (result as WebResult).pageviews;
          else c.events += result.accepted;
        },
        write() {
          for (const c of counts.values()) upsert.run(c.productId, c.month, c.points, c.events, c.pageviews);
        },
      };
    },
  };
}
