import type { Database } from "bun:sqlite";
import { AppError } from "../../lib/errors";
import { bucketStarts, formatInZone } from "../../lib/time/calendar";
import { isValidZone } from "../../lib/time/zone";
import type { Db } from "../../db/connection";
import { findDefinition } from "../../metrics/definitions";
import { resolveQuery } from "../parse";
import type { QueryInput, QueryResult, QuerySeries } from "../types";
import { bucketLabel, keyPart, runMetricQuery, type MetricRow } from "./run";

/**
 * A saved metric answered in the points engine's shape, so every widget kind (line, number,
 * table), report and alert that speaks QueryInput/QueryResult can chart it: the widget's metric
 * `saved:<name>` names the definition; the widget's range, granularity, zone and groupBy apply on
 * top of it. Buckets are the same calendar buckets, `t` their start with the zone's offset.
 */
export const SAVED_PREFIX = "saved:";
export const isSavedMetricRef = (metric: string) => metric.startsWith(SAVED_PREFIX);

export function runSavedMetricAsSeries(db: Db & { $client: Database }, product: { id: string; timezone: string }, input: QueryInput, now: number): QueryResult {
  const name = input.metric.slice(SAVED_PREFIX.length);
  const def = findDefinition(db, product.id, name);
  if (!def) throw new AppError(404, "not_found", `No saved metric named "${name}"`, { field: "metric" });
  // The points query's own checks settle range, zone and granularity (one meaning of "7d" everywhere).
  const q = resolveQuery({ ...input, metric: input.metric }, { timezone: product.timezone, now });
  if (!isValidZone(q.zone)) throw new AppError(400, "invalid_query", "unknown time zone", { field: "timezone" });
  const dims = [...(def.query.groupBy ?? []).filter((g) => !["minute", "hour", "day", "week", "month"].includes(g))];
  for (const g of q.groupBy) if (!dims.includes(g)) dims.push(g);
  const groupBy = q.granularity ? [q.granularity, ...dims] : dims;
  const result = runMetricQuery(
    db,
    product,
    {
      ...def.query,
      metric: name,
      filter: { ...def.query.filter, timeRange: { start: new Date(q.from).toISOString(), end: new Date(q.to).toISOString() } },
      groupBy,
      timezone: q.zone,
      orderBy: undefined,
      limit: 10_000,
    },
    now,
  );
  const series = new Map<string, QuerySeries>();
  const seriesOf = (row: MetricRow | null) => {
    const tags: Record<string, string> = {};
    for (const d of dims) tags[d] = row ? keyPart(row[d]) : "";
    const key = JSON.stringify(tags);
    let s = series.get(key);
    if (!s) series.set(key, (s = { tags, points: [] }));
    return s;
  };
  const starts = q.granularity ? bucketStarts(q.zone, q.granularity, q.from, q.to) : [];
  const empty = def.query.aggregation === "avg" || def.query.aggregation === "min" || def.query.aggregation === "max" ? null : 0;
  if (!groupBy.length) seriesOf(null).value = result.value as number | null;
  else if (!q.granularity) for (const row of result.rows ?? []) seriesOf(row).value = row.value;
  else {
    const byLabel = new Map<string, Map<string, number | null>>();
    for (const row of result.rows ?? []) {
      const s = seriesOf(row);
      const key = JSON.stringify(s.tags);
      if (!byLabel.has(key)) byLabel.set(key, new Map());
      byLabel.get(key)!.set(row[q.granularity] as string, row.value);
    }
    if (!series.size && !dims.length) seriesOf(null);
    for (const [key, s] of series) {
      const values = byLabel.get(key) ?? new Map();
      s.points = starts.map((start) => ({ t: formatInZone(q.zone, start), v: values.get(bucketLabel(q.zone, q.granularity!, start)) ?? empty }));
    }
  }
  const out: QueryResult = {
    metric: input.metric,
    aggregation: input.aggregation,
    granularity: q.granularity,
    from: formatInZone(q.zone, q.from, true),
    to: formatInZone(q.zone, q.to, true),
    timezone: q.zone,
    series: [...series.values()],
  };
  if (!q.granularity && !dims.length) out.value = out.series[0]!.value ?? null;
  return out;
}
