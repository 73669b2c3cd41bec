import type { QueryResult, QuerySeries } from "../../query/types";

/** What the series kinds (line, table) share about a query answer. */

/** Nothing matched: no series, or every bucket empty (0 for sum/count, null for avg/min/max). */
export function isAllEmpty(result: QueryResult): boolean {
  return result.series.every((s) => (s.points.length ? s.points.every((p) => p.v === null || p.v === 0) : s.value === null || s.value === undefined || s.value === 0));
}

/** "US · pro" for a group; "(no country)" for points without the key; "Other" for the folded rest. */
export function seriesLabel(s: Pick<QuerySeries, "tags">, metric: string): string {
  const entries = Object.entries(s.tags);
  if (!entries.length) return metric;
  return entries.map(([k, v]) => (v === "__other__" ? "Other" : v === "" ? `(no ${k})` : v)).join(" · ");
}
