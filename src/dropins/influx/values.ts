/**
 * Line protocol's values: timestamps in a request's precision, turned into whole milliseconds,
 * and field values that are numbers (see ./line-protocol.ts for how they are stored).
 */
export type Precision = "ns" | "us" | "ms" | "s" | "m" | "h";

/** Digits to drop (sub-millisecond precisions) or the multiplier to milliseconds. */
export const PRECISION: Record<Precision, { drop: number; times: number }> = {
  ns: { drop: 6, times: 1 },
  us: { drop: 3, times: 1 },
  ms: { drop: 0, times: 1 },
  s: { drop: 0, times: 1000 },
  m: { drop: 0, times: 60_000 },
  h: { drop: 0, times: 3_600_000 },
};

/** Whole milliseconds, rounded down, without going through a float for 19-digit nanoseconds. */
export function toMs(s: string, start: number, digits: number, end: number, p: { drop: number; times: number }): number {
  const negative = digits > start;
  const len = end - digits;
  let ms: number;
  let remainder = false;
  if (p.drop > 0) {
    const cut = end - p.drop;
    ms = cut > digits ? Number(s.slice(digits, cut)) : 0;
    for (let i = Math.max(cut, digits); i < end; i++) if (s.charCodeAt(i) !== 48) remainder = true;
  } else ms = Number(s.slice(digits, digits + len)) * p.times;
  return negative ? -ms - (remainder ? 1 : 0) : ms;
}

/** A field value that is a number: float, `i`/`u` integer, or boolean; undefined if none of them. */
export function fieldNumber(raw: string): number | undefined {
  const len = raw.length;
  if (len === 0) return undefined;
  const last = raw.charCodeAt(len - 1);
  if (last === 105 /* i */ || last === 117 /* u */) {
    const body = raw.slice(0, -1);
    const signed = last === 105;
    if (!(signed ? /^-?\d+$/ : /^\d+$/).test(body)) return undefined;
    return Number(body);
  }
  const first = raw.charCodeAt(0);
  if (first === 116 || first === 84 || first === 102 || first === 70) return BOOLEANS[raw];
  // Float: digits, optional sign, dot, exponent. Number() alone would take "0x1f", "Infinity", " 1".
  for (let i = 0; i < len; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69)) return undefined;
  }
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

const BOOLEANS: Record<string, number> = Object.assign(Object.create(null), {
  t: 1, T: 1, true: 1, True: 1, TRUE: 1,
  f: 0, F: 0, false: 0, False: 0, FALSE: 0,
});
