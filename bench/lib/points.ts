/**
 * The one deterministic data set every system gets: `point(i)` for i in [0, n). The same index
 * always gives the same point, in every format, so InfluxDB, VictoriaMetrics, our server and the
 * in-process ceilings store identical data and the raw-SQL reference can be checked against it.
 *
 * Shape: one metric, 40 series (host × env; a host belongs to one region), timestamps spread evenly
 * over exactly 30 days (September 2025, which starts on a Monday, so every granularity's buckets
 * line up with the range) and unique per series (InfluxDB would overwrite a repeated series+time).
 */
export const METRIC = "cpu";
export const SPAN_START = Date.UTC(2025, 8, 1); // 2025-09-01T00:00:00Z, a Monday
export const SPAN_MS = 30 * 86_400_000;
export const SPAN_END = SPAN_START + SPAN_MS;
export const SERIES = 40;
const REGIONS = ["eu", "us", "ap", "sa"] as const;

export type BenchTags = { env: string; host: string; region: string };
export type BenchPoint = { tsMs: number; value: number; tags: BenchTags };
export type PointFn = (i: number) => BenchPoint;

/** Filters used by the query matrix: none, one tag (10 of 40 series), two tags (5 of 40). */
export const FILTERS: { name: string; tags: Record<string, string> }[] = [
  { name: "no filter", tags: {} },
  { name: "1 tag", tags: { region: "eu" } },
  { name: "2 tags", tags: { region: "eu", env: "prod" } },
];

/** point(i) of a data set of n points (indexes ≥ n continue past the 30 days, for timed loads). */
export function pointsOf(n: number): PointFn {
  const step = SPAN_MS / n;
  const tagsBySeries: BenchTags[] = Array.from({ length: SERIES }, (_, s) => ({
    env: s < SERIES / 2 ? "prod" : "staging",
    host: `h${s % 20}`,
    region: REGIONS[s % 4]!,
  }));
  return (i) => ({
    tsMs: SPAN_START + Math.floor(i * step),
    value: (Math.imul(i, 2654435761) >>> 0) % 10_000 / 100,
    tags: tagsBySeries[i % SERIES]!,
  });
}

/**
 * A bijection of [0, len): i → (i·P) mod len with P coprime to len. Walking it gives every index
 * once with timestamps scattered over the whole slice — the "shuffled timestamps" load.
 */
export function shuffledIndex(len: number): (k: number) => number {
  let p = 1_000_003;
  while (gcd(p, len) !== 1) p += 2;
  return (k) => Number((BigInt(k) * BigInt(p)) % BigInt(len));
}
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Our API body: a JSON array of points with ISO 8601 UTC timestamps. */
export function toOurJson(points: BenchPoint[]): string {
  let out = "[";
  for (let k = 0; k < points.length; k++) {
    const p = points[k]!;
    out += `${k ? "," : ""}{"metric":"${METRIC}","value":${p.value},"timestamp":"${new Date(p.tsMs).toISOString()}","tags":{"env":"${p.tags.env}","host":"${p.tags.host}","region":"${p.tags.region}"}}`;
  }
  return out + "]";
}

/** InfluxDB line protocol with millisecond timestamps (send with `precision=ms`); tags sorted. */
export function toLineProtocol(points: BenchPoint[]): string {
  let out = "";
  for (const p of points) out += `${METRIC},env=${p.tags.env},host=${p.tags.host},region=${p.tags.region} value=${p.value} ${p.tsMs}\n`;
  return out;
}

/** The storage module's input shape (PointRecord of src/writer/batch.ts). */
export function toRecords(points: BenchPoint[]) {
  return points.map((p) => ({ metric: METRIC, value: p.value, tsMs: p.tsMs, tags: { ...p.tags } }));
}

/** Indexes [from, to) as batches of `size`, optionally in shuffled order within the slice. */
export function* batches(point: PointFn, from: number, to: number, size: number, shuffled = false): Generator<BenchPoint[]> {
  const perm = shuffled ? shuffledIndex(to - from) : null;
  for (let start = from; start < to; start += size) {
    const end = Math.min(to, start + size);
    const batch: BenchPoint[] = new Array(end - start);
    for (let i = start; i < end; i++) batch[i - start] = point(perm ? from + perm(i - from) : i);
    yield batch;
  }
}
