import type { Aggregation, QueryPoint, QuerySeries } from "./types";
import type { AggRow } from "./sql";

/**
 * Rows (already count/sum/min/max per source row) folded into query buckets per group. Cells are
 * sparse (a Map per group), so memory follows the rows read, not groups × buckets.
 */
type Cell = { c: number; s: number; lo: number; hi: number };
type Group = { values: string[]; cells: Map<number, Cell>; c: number; s: number };

export const OTHER = "__other__";

export class Fold {
  private readonly groups = new Map<string, Group>();
  // Without group keys there is one group: dense columns per bucket (no cell objects, no Map).
  private readonly dense: { c: Float64Array; s: Float64Array; lo: Float64Array; hi: Float64Array } | null;
  private hint = 0; // rows mostly arrive in time order: try the last row's bucket first

  constructor(
    private readonly bounds: number[], // bucket i is [bounds[i], bounds[i+1])
    private readonly groupKeys: number,
  ) {
    const n = Math.max(0, bounds.length - 1);
    this.dense = groupKeys === 0 ? { c: new Float64Array(n), s: new Float64Array(n), lo: new Float64Array(n).fill(Infinity), hi: new Float64Array(n).fill(-Infinity) } : null;
  }

  add(row: AggRow) {
    const i = this.bucketOf(row.b);
    if (i < 0) return;
    const d = this.dense;
    if (d) {
      // Same additions in the same order as merge(): equal sums; lo/hi start at ±Infinity. A
      // one-series read may omit columns its aggregation never reads (NaN there is never shown).
      d.c[i] = d.c[i]! + row.c;
      d.s[i] = d.s[i]! + row.s;
      if (row.lo < d.lo[i]!) d.lo[i] = row.lo;
      if (row.hi > d.hi[i]!) d.hi[i] = row.hi;
      return;
    }
    let key = "";
    const values: string[] = [];
    for (let k = 0; k < this.groupKeys; k++) {
      const v = row[`k${k}`] as string;
      values.push(v);
      key += v + "\u0000";
    }
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { values, cells: new Map(), c: 0, s: 0 }));
    g.c += row.c;
    g.s += row.s;
    merge(g.cells, i, row);
  }

  /** Index of the bucket holding `t` (binary search), or -1 outside [from, to). */
  private bucketOf(t: number): number {
    const b = this.bounds;
    if (b.length < 2 || t < b[0]! || t >= b[b.length - 1]!) return -1;
    const h = this.hint;
    if (b[h]! <= t && t < b[h + 1]!) return h;
    if (h + 2 < b.length && b[h + 1]! <= t && t < b[h + 2]!) return (this.hint = h + 1);
    let lo = 0, hi = b.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return (this.hint = lo);
  }

  /**
   * Series for the answer: without group keys exactly one (tags {}); with them the `limit` largest
   * groups (by total sum for "sum", by point count otherwise; ties by tag values) and the rest
   * folded into one series tagged "__other__".
   */
  series(opts: { aggregation: Aggregation; groupBy: string[]; limit: number; labels: string[] }): QuerySeries[] {
    const { aggregation, groupBy, labels } = opts;
    const toSeries = (values: string[], cells: Map<number, Cell>): QuerySeries => {
      const tags: Record<string, string> = {};
      groupBy.forEach((k, i) => (tags[k] = values[i]!));
      return { tags, points: labels.map((t, i) => ({ t, v: valueOf(aggregation, cells.get(i)) })) };
    };
    if (this.dense) {
      // valueOf() per bucket, read straight from the columns (no cell object per bucket).
      const { c, s, lo, hi } = this.dense;
      const empty = aggregation === "sum" || aggregation === "count" ? 0 : null;
      const col = aggregation === "sum" ? s : aggregation === "count" ? c : aggregation === "min" ? lo : aggregation === "max" ? hi : null;
      const points = new Array<QueryPoint>(labels.length);
      for (let i = 0; i < labels.length; i++) {
        const n = c[i]!;
        points[i] = { t: labels[i]!, v: n === 0 ? empty : col ? col[i]! : s[i]! / n };
      }
      return [{ tags: {}, points }];
    }
    if (!groupBy.length) return [toSeries([], this.groups.get("")?.cells ?? new Map())];
    const rank = (g: Group) => (aggregation === "sum" ? g.s : g.c);
    const ordered = [...this.groups.values()].sort((a, b) => rank(b) - rank(a) || compareValues(a.values, b.values));
    const kept = ordered.slice(0, opts.limit).map((g) => toSeries(g.values, g.cells));
    const rest = ordered.slice(opts.limit);
    if (rest.length) {
      const cells = new Map<number, Cell>();
      for (const g of rest) for (const [i, cell] of g.cells) merge(cells, i, cell);
      kept.push(toSeries(groupBy.map(() => OTHER), cells));
    }
    return kept;
  }
}

function merge(cells: Map<number, Cell>, i: number, x: { c: number; s: number; lo: number; hi: number }) {
  const cell = cells.get(i);
  if (!cell) cells.set(i, { c: x.c, s: x.s, lo: x.lo, hi: x.hi });
  else {
    cell.c += x.c;
    cell.s += x.s;
    if (x.lo < cell.lo) cell.lo = x.lo;
    if (x.hi > cell.hi) cell.hi = x.hi;
  }
}

/** Empty buckets: 0 for sum and count, null for avg, min and max. */
function valueOf(aggregation: Aggregation, cell: Cell | undefined): number | null {
  if (!cell || cell.c === 0) return aggregation === "sum" || aggregation === "count" ? 0 : null;
  switch (aggregation) {
    case "sum":
      return cell.s;
    case "count":
      return cell.c;
    case "avg":
      return cell.s / cell.c;
    case "min":
      return cell.lo;
    case "max":
      return cell.hi;
  }
}

/** Tag values compared by UTF-16 code units, key by key (the documented tie order). */
export function compareValues(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
