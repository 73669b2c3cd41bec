/**
 * Which rows answer a query exactly. Rollup rows are UTC-aligned minute, hour and day buckets, so
 * a rollup row can serve a query bucket only when it lies wholly inside it. Each query bucket
 * [a, b) is cut into the coarsest aligned pieces it contains: whole UTC days from day rows, the
 * rest in whole hours from hour rows, then whole minutes from minute rows, and raw points only for
 * what is left (edges not on a minute, e.g. `from` = now for "last 24h").
 *
 * What that gives: UTC days, weeks and months read day rows; a whole-hour zone (Berlin, New York,
 * across DST too) reads hour rows for its days, plus day rows for the UTC days inside its weeks and
 * months; a :30/:45 zone (Kolkata, Kathmandu, Lord Howe) reads minute rows at each local day's
 * edges. Adjacent pieces of one source merge, so a 30-day hourly chart is one hour-row range.
 *
 * Minute rows exist only before the product's minute cut (src/storage/sqlite/minute-cut.ts); from
 * the cut on, minute pieces are read from raw points instead.
 */
export type Source = "rollup_1d" | "rollup_1h" | "rollup_1m" | "points";
export type Segment = { source: Source; from: number; to: number }; // half-open

const LEVELS: { source: Source; width: number }[] = [
  { source: "rollup_1d", width: 86_400_000 },
  { source: "rollup_1h", width: 3_600_000 },
  { source: "rollup_1m", width: 60_000 },
];

export const SOURCE_WIDTH: Record<Source, number> = { rollup_1d: 86_400_000, rollup_1h: 3_600_000, rollup_1m: 60_000, points: 1 };

const ceilTo = (t: number, w: number) => Math.ceil(t / w) * w;
const floorTo = (t: number, w: number) => Math.floor(t / w) * w;

/**
 * `bounds` are the query's bucket edges, clipped to [from, to]: bucket i is [bounds[i], bounds[i+1]).
 * `minuteRowsBefore`: where minute rows end (a whole minute; -Infinity: none, Infinity: everywhere).
 */
export function planSegments(bounds: number[], opts: { rawOnly?: boolean; minuteRowsBefore: number }): Segment[] {
  const minuteCut = opts.minuteRowsBefore;
  const out: Segment[] = [];
  const push = (source: Source, from: number, to: number) => {
    if (from >= to) return;
    // Segments arrive in time order; one that continues the previous one of its source extends it.
    for (let i = out.length - 1; i >= 0 && i >= out.length - 4; i--) {
      const s = out[i]!;
      if (s.source === source && s.to === from) {
        s.to = to;
        return;
      }
    }
    out.push({ source, from, to });
  };
  const cut = (a: number, b: number, level: number) => {
    if (a >= b) return;
    if (level === LEVELS.length || opts.rawOnly) return push("points", a, b);
    const { source, width } = LEVELS[level]!;
    if (source === "rollup_1m" && b > minuteCut) {
      if (a >= minuteCut) return push("points", a, b);
      cut(a, minuteCut, level);
      return push("points", minuteCut, b);
    }
    const A = ceilTo(a, width);
    const B = floorTo(b, width);
    if (A >= B) return cut(a, b, level + 1);
    cut(a, A, level + 1);
    push(source, A, B);
    cut(B, b, level + 1);
  };
  for (let i = 0; i + 1 < bounds.length; i++) cut(bounds[i]!, bounds[i + 1]!, 0);
  return out;
}
