import { FILTERS, METRIC, SPAN_END, SPAN_START } from "../lib/points";
import { repeat } from "../lib/load";
import { bucketStarts, expected, Reference, sameValue, type Granularity } from "../lib/reference";
import { median, percentile } from "../lib/stats";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";
import type { Peer } from "../systems/peers";

/**
 * Queries: R5 (the 30-day hourly sum: ours over HTTP vs the same from raw rows vs the peers) per
 * round, and the matrix {sum,count,avg,min,max} × {minute…month} × {no filter, 1 tag, 2 tags},
 * each answer checked bucket by bucket against the raw-SQL reference.
 */
const AGGS = ["sum", "count", "avg", "min", "max"] as const;
const GRANS: Granularity[] = ["minute", "hour", "day", "week", "month"];
const iso = (ms: number) => new Date(ms).toISOString();
// Minute buckets over 30 days would be 43,200 points per answer; minute queries cover one day.
const rangeOf = (g: Granularity) => (g === "minute" ? { from: SPAN_START + 9 * 86_400_000, to: SPAN_START + 10 * 86_400_000 } : { from: SPAN_START, to: SPAN_END });

type Answer = { series: { tags: Record<string, string>; points: { t: string; v: number | null }[] }[] };

/** POST /api/v1/query with the product's read key; null when the route does not exist yet. */
export async function ourQuery(ours: Ours, product: string, body: Record<string, unknown>): Promise<Answer | null> {
  const res = await fetch(`${ours.url}/api/v1/query`, { method: "POST", headers: ours.readHeaders(product), body: JSON.stringify(body) });
  if (res.status === 404 || res.status === 405) return await res.arrayBuffer(), null;
  if (!res.ok) throw new Error(`query ${JSON.stringify(body)}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  return res.json() as Promise<Answer>;
}

export const hourly30 = (filters: Record<string, string> = {}) => ({
  metric: METRIC,
  aggregation: "sum",
  granularity: "hour",
  from: iso(SPAN_START),
  to: iso(SPAN_END),
  timezone: "UTC",
  ...(Object.keys(filters).length ? { filters } : {}),
});

export async function queryRound(rec: Recorder, o: { ours: Ours; productId: string; ref: Reference; peers: Peer[]; runs: number; n: number }) {
  const note = (runs: number) => `${o.n.toLocaleString("en")} points, 720 buckets, median of ${runs}`;
  const probe = await ourQuery(o.ours, "main", hourly30());
  if (probe) {
    const r = await repeat(() => ourQuery(o.ours, "main", hourly30()), o.runs);
    rec.add("query.hourly30.ours", r.p50, "ms", "30-day hourly sum, ours (HTTP, rollups)", note(r.n));
  }
  const ids = o.ref.seriesIds(o.productId, METRIC, {});
  const raw = await repeat(async () => o.ref.hourlySumRaw(ids, SPAN_START, SPAN_END), o.runs);
  rec.add("query.hourly30.raw", raw.p50, "ms", "30-day hourly sum from raw points (their hour blocks decoded, same file)", note(raw.n));
  for (const peer of o.peers) {
    const r = await repeat(() => peer.hourlySum(), o.runs);
    rec.add(`query.hourly30.${peer.name}`, r.p50, "ms", `30-day hourly sum, ${peer.label}`, note(r.n));
  }
}

/** Peers must hold every point (VictoriaMetrics' retention silently drops old ones). */
export async function checkPeerTotals(rec: Recorder, ref: Reference, productId: string, peers: Peer[]) {
  const ids = ref.seriesIds(productId, METRIC, {});
  const want = ref.hourlySumRaw(ids, SPAN_START, SPAN_END).reduce((s, r) => s + r.s, 0);
  for (const peer of peers) {
    await peer.flush();
    const got = await peer.hourlySum();
    const ok = Math.abs(got.total - want) <= 1e-6 * Math.abs(want);
    rec.note(`${peer.label}: 30-day sum ${ok ? "equals" : "DIFFERS FROM"} the raw-SQL reference (${got.total.toFixed(2)} vs ${want.toFixed(2)}, ${got.buckets} buckets)`);
  }
}

export async function queryMatrix(rec: Recorder, o: { ours: Ours; productId: string; ref: Reference; runs: number }) {
  if (!(await ourQuery(o.ours, "main", hourly30()))) return rec.note("query matrix: POST /api/v1/query not built yet — n/a");
  const times: number[] = [];
  const mismatches: string[] = [];
  for (const filter of FILTERS) {
    const ids = o.ref.seriesIds(o.productId, METRIC, filter.tags);
    for (const g of GRANS) {
      const { from, to } = rangeOf(g);
      const ref = o.ref.buckets(ids, g, from, to);
      const starts = bucketStarts(g, from, to);
      for (const agg of AGGS) {
        const body = { ...hourly30(filter.tags), aggregation: agg, granularity: g, from: iso(from), to: iso(to) };
        let answer: Answer | null = null;
        const r = await repeat(async () => (answer = await ourQuery(o.ours, "main", body)), o.runs, 0);
        times.push(r.p50);
        const problem = compare(answer!, starts, ref, agg);
        if (problem) mismatches.push(`${agg}/${g}/${filter.name}: ${problem}`);
      }
    }
  }
  rec.add("query.matrix.p50", median(times), "ms", `query matrix (${times.length} queries): median of per-query medians`, "minute: 1 day; others: 30 days");
  rec.add("query.matrix.p95", percentile(times, 95), "ms", "query matrix: p95 of per-query medians", "");
  rec.add("query.matrix.wrong", mismatches.length, "queries", `query matrix: answers differing from the raw-SQL reference (of ${times.length})`, "");
  rec.note(mismatches.length ? `query matrix: ${mismatches.length} answers differ from raw SQL:\n    ${mismatches.slice(0, 12).join("\n    ")}` : `query matrix: all ${times.length} answers equal the raw-SQL reference`);
}

function compare(answer: Answer, starts: number[], ref: Map<number, { count: number; sum: number; min: number; max: number }>, agg: string): string | null {
  if (answer.series?.length !== 1) return `expected one series, got ${answer.series?.length}`;
  const points = answer.series[0]!.points;
  if (points.length !== starts.length) return `expected ${starts.length} buckets, got ${points.length}`;
  for (let k = 0; k < starts.length; k++) {
    const t = Date.parse(points[k]!.t);
    if (t !== starts[k]) return `bucket ${k}: t=${points[k]!.t}, expected ${iso(starts[k]!)}`;
    const want = expected(ref.get(t), agg);
    if (!sameValue(agg, points[k]!.v, want)) return `bucket ${points[k]!.t}: ${points[k]!.v} vs reference ${want}`;
  }
  return null;
}
