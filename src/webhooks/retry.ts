import type { Deps } from "../deps";
import type { DeliveryError } from "./send";

/**
 * THE delivery queue's policy and runner, shared by alert notifications and product webhooks.
 * After a failed attempt the next waits 1, 5, 15, 60 minutes, then 3 and 6 hours; after the
 * last the delivery is 'failed' (about 10 hours of trying, like Svix's schedule cut short). A
 * permanent failure (the guard refused the URL, a redirect, most 4xx) is not retried. Every
 * queue keeps its rows in its own outbox table and its attempts in a delivery log table, so a
 * restart picks up where the last process stopped: a row still 'pending' or 'retrying' and due
 * is sent (at-least-once; the webhook-id stays the same so the receiver can drop a repeat).
 */
export const BACKOFF_MS = [60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 3 * 60 * 60_000, 6 * 60 * 60_000];
const CONCURRENCY = 4;

export type Settled = { status: "sent" | "retrying" | "failed"; nextAttemptAt: number | null };

/** What a delivery becomes after its `attempt`-th attempt (1-based) ended with `error` (or none). */
export function settle(attempt: number, error: DeliveryError | null, now: number, backoff: readonly number[] = BACKOFF_MS): Settled {
  if (!error) return { status: "sent", nextAttemptAt: null };
  if (error.permanent || attempt > backoff.length) return { status: "failed", nextAttemptAt: null };
  return { status: "retrying", nextAttemptAt: now + backoff[attempt - 1]! };
}

// Rows being sent by this process, per database and queue: a tick that overlaps a slow send skips them.
const inFlight = new WeakMap<object, Map<string, Set<string>>>();

/** Runs `attempt` for each due id, a few at a time, never twice at once for the same id in this process. */
export async function runDue(deps: Deps, queue: string, ids: string[], attempt: (id: string) => Promise<unknown>): Promise<{ attempted: number }> {
  const byQueue = inFlight.get(deps.db) ?? new Map<string, Set<string>>();
  inFlight.set(deps.db, byQueue);
  const busy = byQueue.get(queue) ?? new Set<string>();
  byQueue.set(queue, busy);
  const due = ids.filter((id) => !busy.has(id));
  let next = 0;
  const worker = async () => {
    while (next < due.length) {
      const id = due[next++]!;
      busy.add(id);
      try {
        await attempt(id);
      } catch (err) {
        deps.log.error("delivery crashed", { queue, id, err });
      } finally {
        busy.delete(id);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
  return { attempted: due.length };
}
