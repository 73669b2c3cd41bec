import type { Aggregation, Granularity, QueryResult, TagFilter } from "../../src/query/types";

/**
 * A naive reference for the query engine, written apart from it: each point's bucket is found by
 * asking Intl for that point's wall clock (no tables, no caches), and every number is folded
 * from the raw points kept by the test.
 *
 * A bucket is named by a key: minute/hour buckets by the truncated local time AND the offset
 * (the repeated autumn hour is two buckets), day by the local date, week by its Monday, month
 * by year-month. An engine label `t` maps to the same key through its own text.
 */
export type RefPoint = { tsMs: number; value: number; tags: Record<string, string> };
export type RefQuery = {
  aggregation: Aggregation;
  granularity?: Granularity;
  from: number;
  to: number;
  zone: string;
  filters?: Record<string, TagFilter>;
  groupBy?: string[];
  groupLimit?: number;
};
export type Cell = { c: number; s: number; abs: number; lo: number; hi: number };
export type RefSeries = { tags: Record<string, string>; cells: Map<string, Cell>; total: Cell };

const formatters = new Map<string, Intl.DateTimeFormat>();

export function wall(zone: string, ms: number) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value])) as Record<string, string>;
  const y = +p.year!, mo = +p.month!, d = +p.day!, h = +p.hour!, mi = +p.minute!, s = +p.second!;
  const offMin = Math.round((Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(ms / 1000) * 1000) / 60_000);
  return { y, mo, d, h, mi, offMin };
}

const p2 = (n: number) => String(n).padStart(2, "0");
const date = (y: number, mo: number, d: number) => `${y}-${p2(mo)}-${p2(d)}`;

function keyOfFields(g: Granularity | "none", f: { y: number; mo: number; d: number; h: number; mi: number; offMin: number }): string {
  switch (g) {
    case "none":
      return "all";
    case "minute":
      return `${date(f.y, f.mo, f.d)}T${p2(f.h)}:${p2(f.mi)}|${f.offMin}`;
    case "hour":
      return `${date(f.y, f.mo, f.d)}T${p2(f.h)}|${f.offMin}`;
    case "day":
      return date(f.y, f.mo, f.d);
    case "week": {
      const t = new Date(Date.UTC(f.y, f.mo - 1, f.d));
      t.setUTCDate(t.getUTCDate() - ((t.getUTCDay() + 6) % 7));
      return date(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
    }
    case "month":
      return `${f.y}-${p2(f.mo)}`;
  }
}

/** The reference's bucket key of an instant. */
export const keyOf = (zone: string, g: Granularity | "none", ms: number) => keyOfFields(g, wall(zone, ms));

const LABEL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})([+-])(\d{2}):(\d{2})$/;

/** The key an engine label names, read from its text (and it must have the contract's format). */
export function keyOfLabel(g: Granularity, t: string): string {
  const m = LABEL.exec(t);
  if (!m) throw new Error(`label ${t} is not YYYY-MM-DDTHH:MM:SS±HH:MM`);
  const offMin = (m[7] === "-" ? -1 : 1) * (+m[8]! * 60 + +m[9]!);
  return keyOfFields(g, { y: +m[1]!, mo: +m[2]!, d: +m[3]!, h: +m[4]!, mi: +m[5]!, offMin });
}

function passes(tags: Record<string, string>, filters: Record<string, TagFilter>): boolean {
  for (const [k, f] of Object.entries(filters)) {
    const v = Object.hasOwn(tags, k) ? tags[k] : undefined;
    if (typeof f === "string" && v !== f) return false;
    if (Array.isArray(f) && (v === undefined || !f.includes(v))) return false;
    if (typeof f === "object" && !Array.isArray(f) && v === f.not) return false;
  }
  return true;
}

const add = (cell: Cell | undefined, v: number): Cell =>
  cell ? { c: cell.c + 1, s: cell.s + v, abs: cell.abs + Math.abs(v), lo: Math.min(cell.lo, v), hi: Math.max(cell.hi, v) } : { c: 1, s: v, abs: Math.abs(v), lo: v, hi: v };
const mergeCells = (a: Cell | undefined, b: Cell): Cell =>
  a ? { c: a.c + b.c, s: a.s + b.s, abs: a.abs + b.abs, lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) } : { ...b };

/** Series in the engine's documented order: top groups by total (sum → sum, else count), ties by tag values, then "__other__". */
export function reference(points: RefPoint[], q: RefQuery): RefSeries[] {
  const groupBy = q.groupBy ?? [];
  const g = q.granularity ?? "none";
  const groups = new Map<string, { values: string[]; cells: Map<string, Cell>; total: Cell | undefined }>();
  for (const p of points) {
    if (p.tsMs < q.from || p.tsMs >= q.to || !passes(p.tags, q.filters ?? {})) continue;
    const values = groupBy.map((k) => (Object.hasOwn(p.tags, k) ? p.tags[k]! : ""));
    const id = JSON.stringify(values);
    let grp = groups.get(id);
    if (!grp) groups.set(id, (grp = { values, cells: new Map(), total: undefined }));
    const key = keyOf(q.zone, g, p.tsMs);
    grp.cells.set(key, add(grp.cells.get(key), p.value));
    grp.total = add(grp.total, p.value);
  }
  const toTags = (values: string[]) => Object.fromEntries(groupBy.map((k, i) => [k, values[i]!]));
  if (!groupBy.length) {
    const only = groups.get("[]");
    return [{ tags: {}, cells: only?.cells ?? new Map(), total: only?.total ?? { c: 0, s: 0, abs: 0, lo: Infinity, hi: -Infinity } }];
  }
  const rank = (x: { total: Cell | undefined }) => (q.aggregation === "sum" ? x.total!.s : x.total!.c);
  const ordered = [...groups.values()].sort((a, b) => rank(b) - rank(a) || cmp(a.values, b.values));
  const limit = q.groupLimit ?? 10;
  const out: RefSeries[] = ordered.slice(0, limit).map((x) => ({ tags: toTags(x.values), cells: x.cells, total: x.total! }));
  const rest = ordered.slice(limit);
  if (rest.length) {
    const cells = new Map<string, Cell>();
    let total: Cell | undefined;
    for (const x of rest) {
      for (const [k, c] of x.cells) cells.set(k, mergeCells(cells.get(k), c));
      total = mergeCells(total, x.total!);
    }
    out.push({ tags: toTags(groupBy.map(() => "__other__")), cells, total: total! });
  }
  return out;
}

function cmp(a: string[], b: string[]) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

/** The value a bucket should show, and how far a sum may drift (summation order differs). */
export function expected(aggregation: Aggregation, cell: Cell | undefined): { v: number | null; tolerance: number } {
  if (!cell || cell.c === 0) return { v: aggregation === "sum" || aggregation === "count" ? 0 : null, tolerance: 0 };
  const tol = 1e-9 * Math.max(cell.abs, Number.MIN_VALUE);
  switch (aggregation) {
    case "sum":
      return { v: cell.s, tolerance: tol };
    case "count":
      return { v: cell.c, tolerance: 0 };
    case "avg":
      return { v: cell.s / cell.c, tolerance: tol / cell.c };
    case "min":
      return { v: cell.lo, tolerance: 0 };
    case "max":
      return { v: cell.hi, tolerance: 0 };
  }
}

/** Checks an engine answer against the reference; returns a description of the first mismatch. */
export function compare(result: QueryResult, ref: RefSeries[], q: RefQuery, opts: { ordered: boolean }): string | null {
  if (result.series.length !== ref.length) return `series: got ${result.series.length}, want ${ref.length} (${JSON.stringify(ref.map((r) => r.tags))} vs ${JSON.stringify(result.series.map((s) => s.tags))})`;
  const g = q.granularity;
  const labels = result.series[0]?.points.map((p) => p.t) ?? [];
  if (g && result.series.length) {
    const problem = checkBuckets(labels, q.zone, g, q.from, q.to);
    if (problem) return problem;
  }
  for (let i = 0; i < ref.length; i++) {
    const want = ref[i]!;
    const got = opts.ordered ? result.series[i]! : result.series.find((s) => JSON.stringify(s.tags) === JSON.stringify(want.tags));
    if (!got || JSON.stringify(got.tags) !== JSON.stringify(want.tags)) return `series ${i}: got tags ${JSON.stringify(got?.tags)}, want ${JSON.stringify(want.tags)}`;
    if (g) {
      const seen = new Set<string>();
      for (const p of got.points) {
        const key = keyOfLabel(g, p.t);
        seen.add(key);
        const e = expected(q.aggregation, want.cells.get(key));
        if (!close(p.v, e)) return `${JSON.stringify(want.tags)} bucket ${p.t}: got ${p.v}, want ${e.v}`;
      }
      for (const key of want.cells.keys()) if (!seen.has(key)) return `bucket ${key} with data is missing from the answer`;
    } else {
      const e = expected(q.aggregation, want.cells.get("all"));
      if (!close(got.value ?? null, e)) return `${JSON.stringify(want.tags)} value: got ${got.value}, want ${e.v}`;
      if (!q.groupBy?.length && !close(result.value ?? null, e)) return `top-level value: got ${result.value}, want ${e.v}`;
    }
  }
  return null;
}

function close(got: number | null, e: { v: number | null; tolerance: number }): boolean {
  if (got === null || e.v === null) return got === e.v;
  return Math.abs(got - e.v) <= e.tolerance;
}

/**
 * The buckets cover [from, to) without gaps or overlaps: each label's instant is in its own
 * bucket, the instant just before the next label is still in this one, keys never repeat,
 * and the first and last buckets hold `from` and `to` − 1 ms.
 */
function checkBuckets(labels: string[], zone: string, g: Granularity, from: number, to: number): string | null {
  if (from >= to) return labels.length ? `empty range gave ${labels.length} buckets` : null;
  if (!labels.length) return "no buckets for a non-empty range";
  const keys = labels.map((t) => keyOfLabel(g, t));
  if (new Set(keys).size !== keys.length) return `repeated bucket keys: ${labels.join(" ")}`;
  for (let i = 0; i < labels.length; i++) {
    const at = Date.parse(labels[i]!);
    if (keyOf(zone, g, at) !== keys[i]) return `label ${labels[i]} is not the start of its own bucket (${keyOf(zone, g, at)})`;
    if (i + 1 < labels.length) {
      const next = Date.parse(labels[i + 1]!);
      if (!(next > at)) return `labels out of order: ${labels[i]} ${labels[i + 1]}`;
      if (keyOf(zone, g, next - 1) !== keys[i]) return `gap between ${labels[i]} and ${labels[i + 1]}`;
    }
  }
  if (Date.parse(labels[0]!) > from) return `first bucket ${labels[0]} starts after from`;
  if (keyOf(zone, g, from) !== keys[0]) return `first bucket ${labels[0]} does not hold from`;
  if (keyOf(zone, g, to - 1) !== keys[keys.length - 1]) return `last bucket ${labels[labels.length - 1]} does not hold to − 1 ms`;
  return null;
}
