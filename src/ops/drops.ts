/**
 * Events dropped on purpose, by reason, for GET /metrics. The reasons are the enrichment steps
 * of the web tracker (DESIGN.md "Web analytics": bot, excluded path, unknown domain); nothing
 * drops yet, so each is 0 until those steps call recordDrop. StatsD (UDP, no answer) counts the
 * lines it refuses and the samples of a flush the writer could not store (src/dropins/statsd/).
 * A refused request (400, 429) is not a drop: its client was told.
 */
export const DROP_REASONS = ["bot", "excluded_path", "unknown_domain", "statsd_invalid_line", "statsd_not_stored"] as const;
export type DropReason = (typeof DROP_REASONS)[number];

const dropped = new Map<DropReason, number>(DROP_REASONS.map((r) => [r, 0]));

export function recordDrop(reason: DropReason, n = 1) {
  dropped.set(reason, (dropped.get(reason) ?? 0) + n);
}

export const droppedEvents = (): [DropReason, number][] => [...dropped];
