/**
 * Events dropped on purpose, by reason, for GET /metrics: the drops of the web tracker's
 * enrichment steps (src/web/enrich/steps.ts; per product they are also kept in web_drops for
 * the site settings page), and StatsD's (UDP, no answer): the lines it refuses and the samples
 * of a flush the writer could not store (src/dropins/statsd/). A refused request (400, 429) is
 * not a drop: its client was told.
 */
export const DROP_REASONS = ["bot", "ip_excluded", "excluded_path", "unknown_domain", "statsd_invalid_line", "statsd_not_stored"] as const;
export type DropReason = (typeof DROP_REASONS)[number];

const dropped = new Map<DropReason, number>(DROP_REASONS.map((r) => [r, 0]));

export function recordDrop(reason: DropReason, n = 1) {
  dropped.set(reason, (dropped.get(reason) ?? 0) + n);
}

export const droppedEvents = (): [DropReason, number][] => [...dropped];
