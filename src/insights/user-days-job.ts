import type { Deps } from "../deps";

/**
 * Completes the user-day rows of zones that started after a product already had events (a time
 * zone change, or events from before the tables existed), through the writer in small steps, so
 * their distinct-user queries move from raw events to the rows. Idempotent: rows are INSERT OR
 * IGNORE and the zone's `complete` flag is the watermark.
 */
const STEP = 5_000;

export async function completeUserDays(deps: Pick<Deps, "db" | "queue">): Promise<{ zones: number; steps: number }> {
  const pending = deps.db.$client.query("SELECT product_id, zone FROM event_day_rollups WHERE complete = 0").all() as { product_id: string; zone: string }[];
  let steps = 0;
  for (const p of pending) {
    for (let after = 0; ; ) {
      const step = await deps.queue.rebuildUserDays(p.product_id, p.zone, after, STEP);
      steps++;
      if (step.done) break;
      after = step.next;
    }
  }
  return { zones: pending.length, steps };
}
