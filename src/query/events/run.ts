import type { Database } from "bun:sqlite";
import { AppError } from "../../lib/errors";
import { bucketStarts, formatInZone, type Granularity } from "../../lib/time/calendar";
import { localDateAt } from "../../lib/time/dates";
import { observe } from "../../lib/histogram";
import { queryLatency } from "../latency";
import { decodeValue } from "./fields";
import { resolveMetricQuery, type ResolvedMetricQuery } from "./parse";
import { eventsReaderFor } from "../../storage";

/**
 * The events planner of THE query engine: `POST /api/v1/metrics/query` (and saved metrics,
 * widgets and alerts that name one) → resolve → SQL on `events` → rows → answer. Synchronous,
 * like runQuery: it runs to the end inside one tick on the read connection.
 */
export type MetricRow = Record<string, unknown> & { value: number | null };
export type MetricResult = {
  metric: string;
  /** A number without groupBy; else group key (values joined with `|` in groupBy order) → value. */
  value: number | null | Record<string, number | null>;
  rows?: MetricRow[];
  metadata: { queryTime: string; cached: false; from: string; to: string; timezone: string; truncated?: true };
};

/** Past this many groups a query is refused rather than shipping a million rows to the caller. */
export const MAX_GROUPS = 100_000;

type Db = { $client: Database };
type Product = { id: string; timezone: string };

export function runMetricQuery(db: Db, product: Product, input: unknown, now: number): MetricResult {
  const started = performance.now();
  try {
    const q = resolveMetricQuery(input, { timezone: product.timezone, now });
    return answer(db.$client, product.id, q, started);
  } finally {
    observe(queryLatency, (performance.now() - started) / 1000);
  }
}

function answer(sqlite: Database, productId: string, q: ResolvedMetricQuery, started: number): MetricResult {
  const starts = q.time ? bucketStarts(q.zone, q.time, q.from, q.to) : [];
  const events = eventsReaderFor(sqlite);
  const raw = events.userDayGroups(productId, q, starts) ?? events.metricGroups(productId, q, starts, MAX_GROUPS + 1);
  if (raw.length > MAX_GROUPS) {
    throw new AppError(400, "query_too_large", `This query makes more than ${MAX_GROUPS} groups: filter it, or group by fewer or coarser fields`, { field: "groupBy" });
  }
  const metadata: MetricResult["metadata"] = {
    queryTime: "",
    cached: false,
    from: formatInZone(q.zone, q.from, true),
    to: formatInZone(q.zone, q.to, true),
    timezone: q.zone,
  };
  const done = (r: Omit<MetricResult, "metadata">): MetricResult => {
    metadata.queryTime = `${Math.round(performance.now() - started)}ms`;
    return { ...r, metadata };
  };
  if (!q.groupBy.length) return done({ metric: q.metric, value: finish(q, raw[0]?.v ?? null) });

  const labels = q.time ? starts.map((s) => bucketLabel(q.zone, q.time!, s)) : [];
  type Group = { sort: unknown[]; row: MetricRow };
  const groups: Group[] = raw.map((r) => {
    const row: MetricRow = { value: finish(q, r.v) };
    const sort = q.groupBy.map((g, i) => {
      const x = r[`g${i}`];
      if ("time" in g) {
        row[g.name] = labels[x as number];
        return x;
      }
      const value = decodeValue(g.field, x);
      row[g.name] = value;
      return value;
    });
    return { sort, row };
  });
  // A time unit alone is a series: every bucket is there, empty ones as an empty aggregate.
  if (q.time && q.groupBy.length === 1) {
    const seen = new Set(groups.map((g) => g.sort[0] as number));
    for (let i = 0; i < starts.length; i++) if (!seen.has(i)) groups.push({ sort: [i], row: { [q.groupBy[0]!.name]: labels[i], value: finish(q, null) } });
  }
  groups.sort((a, b) => compareGroups(a, b, q.orderBy));
  if (groups.length > q.limit) metadata.truncated = true;
  const rows = groups.slice(0, q.limit).map((g) => g.row);
  const value: Record<string, number | null> = {};
  for (const row of rows) value[groupKey(q, row)] = row.value;
  return done({ metric: q.metric, value, rows });
}

/** sum, count and distinct of nothing are 0; avg, min and max of nothing are null. */
function finish(q: ResolvedMetricQuery, v: number | null): number | null {
  if (v === null) return q.aggregation === "sum" || q.aggregation === "count" || q.aggregation === "distinct" ? 0 : null;
  return v;
}

/** A day, week or month bucket is keyed by its local start date; an hour or minute by RFC 3339 with the zone's offset. */
export function bucketLabel(zone: string, unit: Granularity, start: number): string {
  return unit === "hour" || unit === "minute" ? formatInZone(zone, start) : localDateAt(start, zone);
}

/** The answer's key of a row: its group values joined with `|` (an absent value is ""). */
export function groupKey(q: Pick<ResolvedMetricQuery, "groupBy">, row: Record<string, unknown>): string {
  return q.groupBy.map((g) => keyPart(row[g.name])).join("|");
}

export const keyPart = (x: unknown): string => (x === null || x === undefined ? "" : typeof x === "string" ? x : JSON.stringify(x));

/** Group values order: absent first, then numbers, strings, booleans, anything else by its JSON text. */
export function compareValues(a: unknown, b: unknown): number {
  const rank = (x: unknown) => (x === null || x === undefined ? 0 : typeof x === "number" ? 1 : typeof x === "string" ? 2 : typeof x === "boolean" ? 3 : 4);
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 1 || ra === 3) return Number(a) - Number(b);
  const sa = ra === 2 ? (a as string) : JSON.stringify(a);
  const sb = rb === 2 ? (b as string) : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareGroups(a: { sort: unknown[]; row: MetricRow }, b: { sort: unknown[]; row: MetricRow }, orderBy: ResolvedMetricQuery["orderBy"]): number {
  if (orderBy) {
    const sign = orderBy.desc ? -1 : 1;
    if (orderBy.key === "value") {
      const x = a.row.value, y = b.row.value;
      // An empty aggregate (null) sorts last whichever the direction.
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else if (x !== y) return sign * (x - y);
    } else {
      const c = compareValues(a.sort[orderBy.key], b.sort[orderBy.key]);
      if (c !== 0) return sign * c;
    }
  }
  for (let i = 0; i < a.sort.length; i++) {
    const c = compareValues(a.sort[i], b.sort[i]);
    if (c !== 0) return c;
  }
  return 0;
}
