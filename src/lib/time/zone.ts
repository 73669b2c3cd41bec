/**
 * UTC offsets of IANA zones, from Intl.DateTimeFormat (the only source of tzdata in the runtime).
 * Asking Intl per timestamp costs microseconds, so each (zone, UTC year) is asked once: ~730
 * samples find the year's transitions, bisected to the second, and later lookups are a search in
 * a table of a few entries. Offsets are in ms, local − UTC (Berlin in summer: +7 200 000).
 */
type YearTable = { starts: number[]; offsets: number[] };

const formatters = new Map<string, Intl.DateTimeFormat>();
const tables = new Map<string, YearTable>();
// Each table is tiny; past this many the cache starts over rather than grow without bound.
const MAX_TABLES = 4096;
// Sampling step inside a year. tzdata never changes a zone's offset twice within 12 hours and back.
const SAMPLE_MS = 12 * 3_600_000;

const FIXED_ZERO = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT", "Etc/Universal", "Universal"]);

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The slow, exact path: what Intl says the wall clock shows at `ms`, minus `ms` (whole seconds). */
function intlOffset(zone: string, ms: number): number {
  const sec = Math.floor(ms / 1000) * 1000;
  let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, bc = false;
  for (const p of formatter(zone).formatToParts(sec)) {
    switch (p.type) {
      case "year": y = +p.value; break;
      case "month": mo = +p.value; break;
      case "day": d = +p.value; break;
      case "hour": h = +p.value; break;
      case "minute": mi = +p.value; break;
      case "second": s = +p.value; break;
      case "era": bc = p.value.startsWith("B"); break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - y : y, mo - 1, d);
  wall.setUTCHours(h, mi, s, 0);
  return wall.getTime() - sec;
}

function yearTable(zone: string, year: number): YearTable {
  const key = `${zone}\u0000${year}`;
  let t = tables.get(key);
  if (t) return t;
  const start = yearStart(year);
  const end = yearStart(year + 1);
  t = { starts: [start], offsets: [intlOffset(zone, start)] };
  let at = start;
  let current = t.offsets[0]!;
  while (at < end - 1000) {
    const sample = Math.min(at + SAMPLE_MS, end - 1000);
    if (intlOffset(zone, sample) === current) {
      at = sample;
      continue;
    }
    // Bisect (in whole seconds) for the first instant with the new offset.
    let lo = at, hi = sample;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffset(zone, mid) === current) lo = mid;
      else hi = mid;
    }
    current = intlOffset(zone, hi);
    t.starts.push(hi);
    t.offsets.push(current);
    at = hi; // scan on from the transition, so a second change before `sample` is found too
  }
  if (tables.size >= MAX_TABLES) tables.clear();
  tables.set(key, t);
  return t;
}

function yearStart(year: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

const yearOf = (ms: number) => new Date(ms).getUTCFullYear();

/** The zone's offset at the instant `ms`. */
export function offsetAt(zone: string, ms: number): number {
  if (FIXED_ZERO.has(zone)) return 0;
  const t = yearTable(zone, yearOf(ms));
  let i = t.starts.length - 1;
  while (i > 0 && t.starts[i]! > ms) i--;
  return t.offsets[i]!;
}

/**
 * The offset at `ms` and the span [from, until) it holds unchanged (within its UTC year's table):
 * callers walking many nearby instants (720 hourly labels) look the zone up once per span.
 */
export function offsetSpan(zone: string, ms: number): { offset: number; from: number; until: number } {
  if (FIXED_ZERO.has(zone)) return { offset: 0, from: -Infinity, until: Infinity };
  const year = yearOf(ms);
  const t = yearTable(zone, year);
  let i = t.starts.length - 1;
  while (i > 0 && t.starts[i]! > ms) i--;
  return { offset: t.offsets[i]!, from: i === 0 ? yearStart(year) : t.starts[i]!, until: i + 1 < t.starts.length ? t.starts[i + 1]! : yearStart(year + 1) };
}

/** Instants T in (a, b] where the offset changes (T is the first instant with the new offset). */
export function transitionsIn(zone: string, a: number, b: number): number[] {
  if (FIXED_ZERO.has(zone) || b <= a) return [];
  const out: number[] = [];
  for (let y = yearOf(a); y <= yearOf(b); y++) {
    const t = yearTable(zone, y);
    for (let i = 0; i < t.starts.length; i++) {
      const s = t.starts[i]!;
      if (s <= a || s > b) continue;
      // A table's first row is the year's start, a transition only if the offset changed there.
      if (i > 0 || offsetAt(zone, s - 1) !== t.offsets[0]) out.push(s);
    }
  }
  return out;
}
