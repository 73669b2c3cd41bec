import type { Database } from "bun:sqlite";
import type { RevenueBatch, RevenueResult } from "./batch";
import type { RevenueEvent } from "../revenue/types";

/**
 * Revenue events inside the flush transaction. A redelivered webhook (same provider event id)
 * changes nothing and counts as a duplicate. A cumulative refund (the order's refunded total so
 * far, as Polar and Lemon Squeezy send it) is booked as the difference from what is already
 * booked for the order, so two partial refunds and their redeliveries add up exactly.
 */
export type RevenueWriter = { apply(batch: RevenueBatch, onStored?: (e: RevenueEvent, amountMinor: number) => void): RevenueResult };

export function createRevenueWriter(sqlite: Database): RevenueWriter {
  const insert = sqlite.prepare(
    `INSERT INTO revenue_events (product_id, provider, provider_event_id, kind, amount_minor, currency, paid_at, customer_id, email, plan,
       order_id, subscription_id, subscription_status, mrr_minor, visitor_id, received_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const refunded = sqlite.prepare(
    "SELECT COALESCE(-SUM(amount_minor), 0) AS n FROM revenue_events WHERE product_id = ? AND provider = ? AND order_id = ? AND kind = 'refund'",
  );
  return {
    apply(batch, onStored) {
      let accepted = 0;
      let duplicates = 0;
      for (const e of batch.events) {
        let amount = e.amountMinor;
        if (e.kind === "refund" && e.refundMode === "cumulative" && e.orderId) {
          const booked = (refunded.get(batch.productId, batch.provider, e.orderId) as { n: number }).n;
          amount = -(-e.amountMinor - booked);
          if (amount >= 0) {
            duplicates++;
            continue;
          }
        }
        const { changes } = insert.run(
          batch.productId,
          batch.provider,
          e.providerEventId,
          e.kind,
          amount,
          e.currency,
          e.paidAt,
          e.customerId,
          e.email?.toLowerCase() ?? null,
          e.plan,
          e.orderId,
          e.subscription?.id ?? null,
          e.subscription?.status ?? null,
          e.subscription?.mrrMinor ?? null,
          e.visitorId,
          batch.now,
        );
        if (changes) {
          accepted++;
          onStored?.(e, amount);
        }        else duplicates++;
      }
      return { accepted, duplicates };
    },
  };
}
