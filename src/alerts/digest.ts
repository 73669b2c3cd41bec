import { and, eq } from "drizzle-orm";
import type { Deps } from "../deps";
import { alertChannels, alertNotifications, products } from "../db/schema";
import { recordAttempt, timedSend } from "../delivery/log";
import { mailFailure } from "./channels/email";
import { localDateAt, parseLocalDate, startOfLocalDate } from "../lib/time/dates";
import { alertDigestEmail } from "../../views/emails/alert";
import type { AlertPayload } from "./payload";

/**
 * Email digests (seed 003 FR-3): an email channel with `digest: "hourly" | "daily"` gets one mail
 * per period with every notification of that period, at the first tick after the period ends
 * (hourly: each UTC hour; daily: each midnight in the product's time zone). `digest_through` is
 * the channel's watermark. A crash between the send and its commit sends that digest again.
 */
const HOUR = 3_600_000;

export async function sendDigests(deps: Deps) {
  const now = deps.clock.now();
  const waiting = deps.db
    .select({ n: alertNotifications, ch: alertChannels, timezone: products.timezone })
    .from(alertNotifications)
    .innerJoin(alertChannels, eq(alertChannels.id, alertNotifications.channelId))
    .innerJoin(products, eq(products.id, alertNotifications.productId))
    .where(eq(alertNotifications.status, "digest"))
    .all();
  const byChannel = new Map<string, typeof waiting>();
  for (const row of waiting) byChannel.set(row.ch.id, [...(byChannel.get(row.ch.id) ?? []), row]);
  for (const rows of byChannel.values()) {
    const { ch, timezone } = rows[0]!;
    const config = JSON.parse(ch.config) as { to: string[]; digest: "hourly" | "daily" };
    const periodEnd = config.digest === "hourly" ? Math.floor(now / HOUR) * HOUR : startOfLocalDate(parseLocalDate(localDateAt(now, timezone))!, timezone);
    const items = rows.filter((r) => r.n.createdAt < periodEnd).sort((a, b) => a.n.createdAt - b.n.createdAt);
    if (!items.length) continue;
    const payloads = items.map((r) => JSON.parse(r.n.payload) as AlertPayload);
    // One mail carries every item, so each item's log row is that mail's outcome.
    const { outcome } = await timedSend(async () => {
      try {
        await deps.mailer.send(await alertDigestEmail(config.to, payloads, config.digest, deps.config.baseUrl));
      } catch (err) {
        throw mailFailure(err);
      }
    });
    const error = outcome.error;
    if (error) deps.log.warn("alert digest not sent; it is tried again next minute", { channelId: ch.id, err: error });
    deps.db.transaction((tx) => {
      for (const { n } of items) {
        recordAttempt(tx as unknown as Deps["db"], { kind: "alert", id: n.id }, { productId: n.productId, attempt: n.attempts + 1, at: now }, outcome);
        tx.update(alertNotifications)
          .set(error ? { attempts: n.attempts + 1, lastError: error, updatedAt: now } : { status: "sent", attempts: n.attempts + 1, lastError: null, sentAt: now, updatedAt: now })
          .where(and(eq(alertNotifications.id, n.id), eq(alertNotifications.status, "digest")))
          .run();
      }
      if (!error) tx.update(alertChannels).set({ digestThrough: periodEnd }).where(and(eq(alertChannels.id, ch.id))).run();
    });
  }
}
