/**
 * The time-to-convert distribution of a funnel step: how many entities took how long from their
 * first step to this one (the same fastest times the median is taken over). Bucket edges grow
 * roughly ×3 per bucket, so seconds-long clicks and week-long trials both read on one chart;
 * the last bucket is open (a window is at most 90 days).
 */
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

/** Lower edges in ms, ascending; bucket i is [EDGES[i], EDGES[i + 1]). */
export const TIME_BUCKET_EDGES_MS = [0, 10 * S, 30 * S, MIN, 5 * MIN, 15 * MIN, H, 6 * H, D, 3 * D, 7 * D, 30 * D] as const;

export type TimeBucket = {
  /** Inclusive lower edge (seconds). */
  from_seconds: number;
  /** Exclusive upper edge (seconds); null for the open last bucket. */
  to_seconds: number | null;
  /** Entities whose time to convert falls in the bucket. */
  visitors: number;
};

export function bucketIndex(ms: number): number {
  let i = TIME_BUCKET_EDGES_MS.length - 1;
  while (i > 0 && ms < TIME_BUCKET_EDGES_MS[i]!) i--;
  return i;
}

/** Every bucket, empty ones included (a chart needs the gaps), for a list of times in ms. */
export function timeHistogram(times: number[]): TimeBucket[] {
  const counts = new Array<number>(TIME_BUCKET_EDGES_MS.length).fill(0);
  for (const t of times) counts[bucketIndex(t)]!++;
  return counts.map((visitors, i) => ({
    from_seconds: TIME_BUCKET_EDGES_MS[i]! / S,
    to_seconds: i + 1 < TIME_BUCKET_EDGES_MS.length ? TIME_BUCKET_EDGES_MS[i + 1]! / S : null,
    visitors,
  }));
}

/** "<10s", "10s–30s", "6h–1d", "≥30d": a bucket as a chart label. */
export function bucketLabel(b: Pick<TimeBucket, "from_seconds" | "to_seconds">): string {
  if (b.to_seconds === null) return `≥${short(b.from_seconds)}`;
  if (b.from_seconds === 0) return `<${short(b.to_seconds)}`;
  return `${short(b.from_seconds)}–${short(b.to_seconds)}`;
}

function short(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${seconds / 60}m`;
  if (seconds < 86_400) return `${seconds / 3600}h`;
  return `${seconds / 86_400}d`;
}
