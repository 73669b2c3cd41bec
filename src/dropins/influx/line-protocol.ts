import type { ItemError } from "../../lib/errors";
import { MAX_TAGS, metricProblem, tagKeyProblem, tagValueProblem } from "../../lib/names";
import { FUTURE_LIMIT_MS, MAX_ITEMS } from "../../ingest/payload";
import type { PointColumns, PointRecord } from "../../writer/batch";
import { canonicalTags } from "../../writer/series-registry";
import { ColumnBuilder } from "./columns";
import { FNV_OFFSET, fnvStep, RecentKeys, SeriesKeys } from "./series-keys";
import { fieldNumberAt, PRECISION, toMs, type Precision } from "./values";

/**
 * InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/)
 * straight into validated points, in one pass over the string:
 *
 *   measurement[,tag=value…] field=value[,field=value…] [timestamp]
 *
 * Each field becomes the metric `<measurement>.<field>`, or `<measurement>` for a field named
 * `value`; the tags stay tags. Field values: floats, integers (`12i`), unsigned (`12u`) and
 * booleans (t/T/true/True/TRUE → 1, f/F/false/False/FALSE → 0) are stored as numbers (integers
 * beyond 2^53 lose precision, as any float64 does). String fields (`"…"`) are parsed and
 * skipped: a point is a number. Escapes as Influx: `\,` and `\ ` in measurements, also `\=` in
 * tag keys, tag values and field keys, `\"` and `\\` inside strings; `#` starts a comment line.
 * Every name then passes the native API's rules (src/lib/names.ts), and a timestamp more than
 * 24 h ahead is refused, as a JSON point's is. On the hot path of R21: no regex per character,
 * each series key (measurement and tags, as written) parsed and checked once (RecentKeys keeps
 * the result across requests), and the points written straight into the writer's columns
 * (./columns.ts): a line of a series and field seen before makes no object and no string.
 */

export type { Precision };

export type LineProtocolColumns = { columns: PointColumns; errors: ItemError[]; lines: number };
export type LineProtocolResult = { points: PointRecord[]; errors: ItemError[]; lines: number };

const NL = 10, CR = 13, SPACE = 32, TAB = 9, COMMA = 44, EQ = 61, QUOTE = 34, BACKSLASH = 92, HASH = 35;

/** A field key as written (up to its "="), its name and its slot in the series it follows. */
type Field = { raw: string; name: string; slot: number };
/** A series key read and checked: the same for every request that sends its text. */
type ParsedKey = { measurement: string; tags: Readonly<Record<string, string>>; canonical: string };
/** A series key within one request: its fields' slots in this request's columns. */
type Series = ParsedKey & {
  slots: Map<string, number>; // field name → slot
  fields: Field[]; // the first few fields as written, matched in place before any token is cut
};
const parsedKeys = new RecentKeys<ParsedKey | LineFault>();
// Fields matched in place per series; a wider line cuts the others as tokens (keeps the scan short).
const MATCHED_FIELDS = 8;

class LineFault extends Error {
  constructor(readonly field: string | null, message: string) {
    super(message);
  }
}

export function parseLineProtocolColumns(body: string, precision: Precision, now: number): LineProtocolColumns {
  const p = new Parser(body, PRECISION[precision], now);
  p.run();
  return { columns: p.out.finish(), errors: p.errors, lines: p.lines };
}

/** The same parse as records, one per point (for callers that want objects, e.g. tests). */
export function parseLineProtocol(body: string, precision: Precision, now: number): LineProtocolResult {
  const { columns, errors, lines } = parseLineProtocolColumns(body, precision, now);
  const points = Array.from(columns.slot, (slot, k) => {
    const { metric, tags } = columns.series[slot]!;
    return { metric, value: columns.value[k]!, tsMs: columns.ts[k]!, tags };
  });
  return { points, errors, lines };
}

class Parser {
  i = 0;
  lineNo = 0; // 1-based number of the line being read
  lines = 0; // non-empty, non-comment lines
  readonly out = new ColumnBuilder();
  errors: ItemError[] = [];
  private series = new SeriesKeys<Series | LineFault>(); // series key text → parsed and checked
  private tagKeys = new Map<string, string | null>();

  constructor(
    readonly s: string,
    readonly precision: { drop: number; times: number },
    readonly now: number,
  ) {}

  run() {
    const s = this.s;
    const n = s.length;
    while (this.i < n) {
      this.lineNo++;
      this.skipBlanks();
      const c = s.charCodeAt(this.i);
      if (this.i >= n || c === NL || c === CR || c === HASH) {
        this.toLineEnd();
        continue;
      }
      this.lines++;
      if (this.lines > MAX_ITEMS) throw new TooManyLines();
      const first = this.out.n;
      try {
        this.line();
      } catch (err) {
        if (!(err instanceof LineFault)) throw err;
        this.out.truncate(first); // the points a bad line had already produced
        this.toLineEnd();
        this.errors.push({ index: this.lineNo - 1, field: err.field, message: `line ${this.lineNo}: ${err.message}` });
      }
    }
  }

  private skipBlanks() {
    const s = this.s;
    for (let c = s.charCodeAt(this.i); c === SPACE || c === TAB; c = s.charCodeAt(++this.i));
  }

  /** Past the end of the current line: a newline always ends one (line protocol has no raw newlines in values). */
  private toLineEnd() {
    const at = this.s.indexOf("\n", this.i);
    this.i = at < 0 ? this.s.length : at + 1;
  }

  private line() {
    const s = this.s;
    const start = this.i;
    // The series key (measurement and tags) runs to the first space not after a backslash. Lines
    // of one series repeat it byte for byte: hashed while scanned, looked up without a slice.
    let sp = start;
    let hash = FNV_OFFSET;
    for (let c = s.charCodeAt(sp), prev = -1; ; prev = c, c = s.charCodeAt(++sp)) {
      if (c === SPACE && (sp === start || prev !== BACKSLASH)) break;
      if (c === NL || Number.isNaN(c)) throw new LineFault(null, "missing fields");
      hash = fnvStep(hash, c);
    }
    let series = this.series.get(s, start, sp, hash);
    if (!series) {
      const text = s.slice(start, sp);
      let parsed = parsedKeys.get(text);
      if (!parsed) parsedKeys.set(text, (parsed = this.seriesKey(sp)));
      this.series.set(text, hash, (series = parsed instanceof LineFault ? parsed : { ...parsed, slots: new Map(), fields: [] }));
    }
    if (series instanceof LineFault) throw series;
    this.i = sp;
    this.skipBlanks();
    const out = this.out;
    const first = out.n;
    let any = false;
    for (;;) {
      const known = this.knownField(series);
      let name: string;
      let raw: string | null = null;
      if (known) {
        this.i += known.raw.length;
        name = known.name;
      } else {
        const at = this.i;
        name = this.token(true);
        if (name === "") throw new LineFault("fields", "missing field key");
        if (s.charCodeAt(this.i) !== EQ) throw new LineFault(`fields.${name}`, `missing "=" after field "${name}"`);
        raw = s.slice(at, this.i);
      }
      this.i++;
      const value = this.fieldValue(name);
      any = true;
      if (value !== null) out.push(known ? known.slot : this.slotOf(series, name, raw!), value);
      if (s.charCodeAt(this.i) !== COMMA) break;
      this.i++;
    }
    if (!any) throw new LineFault("fields", "missing fields");
    out.stamp(first, this.timestamp());
  }

  /**
   * The field at `this.i` when it is one this series had before, spelled the same: the text
   * matches and an "=" follows (a key never ends in a backslash before its "=", which would
   * escape it), so the tokenizer would cut exactly this key.
   */
  private knownField(series: Series): Field | undefined {
    const s = this.s;
    const at = this.i;
    const fields = series.fields;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      if (s.charCodeAt(at + f.raw.length) === EQ && s.startsWith(f.raw, at)) return f;
    }
    return undefined;
  }

  private seriesKey(end: number): ParsedKey | LineFault {
    const s = this.s;
    try {
      const measurement = this.token(false);
      if (measurement === "") throw new LineFault("measurement", "missing measurement");
      const tags: Record<string, string> = {};
      let tagCount = 0;
      while (s.charCodeAt(this.i) === COMMA) {
        this.i++;
        const key = this.token(true);
        if (s.charCodeAt(this.i) !== EQ) throw new LineFault(key ? `tags.${key}` : "tags", `missing tag value${key ? ` for "${key}"` : ""}`);
        this.i++;
        const value = this.token(true);
        this.checkTag(key, value);
        if (!Object.hasOwn(tags, key)) tagCount++;
        tags[key] = value;
      }
      if (tagCount > MAX_TAGS) throw new LineFault("tags", `at most ${MAX_TAGS} tags per point (got ${tagCount})`);
      if (this.i !== end) throw new LineFault(null, `unexpected "${s[this.i]}" in the measurement or tags`);
      return tagCount === 0 ? { measurement, tags: EMPTY, canonical: "{}" } : { measurement, tags: Object.freeze(tags), canonical: canonicalTags(tags) };
    } catch (err) {
      if (err instanceof LineFault) return err;
      throw err;
    }
  }

  /**
   * Up to an unescaped delimiter: `,` or a space (and `=` in keys and tag values, where `\=` is
   * an escape too). A backslash before anything else stays a backslash, as Influx reads it.
   */
  private token(eqEnds: boolean): string {
    const s = this.s;
    const start = this.i;
    let escaped = false;
    for (let i = start; ; i++) {
      const c = s.charCodeAt(i);
      if (c === BACKSLASH) {
        const d = s.charCodeAt(i + 1);
        if (d === COMMA || d === SPACE || (eqEnds && d === EQ)) {
          escaped = true;
          i++;
          continue;
        }
      }
      if (c === COMMA || c === SPACE || c === TAB || c === NL || c === CR || Number.isNaN(c) || (eqEnds && c === EQ)) {
        this.i = i;
        const raw = s.slice(start, i);
        return escaped ? raw.replace(eqEnds ? /\\([, =])/g : /\\([, ])/g, "$1") : raw;
      }
    }
  }

  private checkTag(key: string, value: string) {
    let problem = this.tagKeys.get(key);
    if (problem === undefined) this.tagKeys.set(key, (problem = key === "" ? "missing tag key" : tagKeyProblem(key)));
    if (problem) throw new LineFault(`tags.${key}`, problem);
    if (value === "") throw new LineFault(`tags.${key}`, `missing tag value for "${key}"`);
    const vp = tagValueProblem(value);
    if (vp) throw new LineFault(`tags.${key}`, vp);
  }

  /** The slot of `series`' field `name` (its metric checked once per request), remembered as spelled (`raw`). */
  private slotOf(series: Series, name: string, raw: string): number {
    let slot = series.slots.get(name);
    if (slot === undefined) {
      const metric = name === "value" ? series.measurement : `${series.measurement}.${name}`;
      const problem = metricProblem(metric);
      if (problem) throw new LineFault(`fields.${name}`, `${problem} (the metric "${metric.length > 80 ? `${metric.slice(0, 80)}…` : metric}")`);
      slot = this.out.slotOf(metric, series.tags, series.canonical);
      series.slots.set(name, slot);
    }
    if (series.fields.length < MATCHED_FIELDS) series.fields.push({ raw, name, slot });
    return slot;
  }

  /** A number, or null for a string field (parsed, not stored). */
  private fieldValue(key: string): number | null {
    const s = this.s;
    if (s.charCodeAt(this.i) === QUOTE) {
      for (let i = this.i + 1; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c === NL) break;
        if (c === BACKSLASH) i++;
        else if (c === QUOTE) {
          this.i = i + 1;
          return null;
        }
      }
      throw new LineFault(`fields.${key}`, `unterminated string in field "${key}"`);
    }
    const start = this.i;
    let i = start;
    for (let c = s.charCodeAt(i); !(c === COMMA || c === SPACE || c === TAB || c === NL || c === CR || Number.isNaN(c)); c = s.charCodeAt(++i));
    this.i = i;
    const n = fieldNumberAt(s, start, i);
    if (n === undefined) {
      const raw = s.slice(start, i);
      throw new LineFault(`fields.${key}`, raw === "" ? `missing value for field "${key}"` : `invalid value ${JSON.stringify(raw.slice(0, 40))} for field "${key}" (a float, an integer like 12i or 12u, a boolean, or a quoted string)`);
    }
    return n;
  }

  private timestamp(): number {
    const s = this.s;
    this.skipBlanks();
    const c = s.charCodeAt(this.i);
    let tsMs: number;
    if (this.i >= s.length || c === NL || c === CR) tsMs = this.now;
    else {
      const start = this.i;
      let i = start;
      if (s.charCodeAt(i) === 45) i++; // "-"
      const digits = i;
      let n = 0; // the digits' value, exact while there are at most 15 of them
      for (let d = s.charCodeAt(i); d >= 48 && d <= 57; d = s.charCodeAt(++i)) n = n * 10 + (d - 48);
      const end = s.charCodeAt(i);
      if (i === digits || !(i >= s.length || end === NL || end === CR || end === SPACE || end === TAB)) {
        let j = i;
        for (let d = s.charCodeAt(j); !(d === NL || d === CR || Number.isNaN(d)); d = s.charCodeAt(++j));
        throw new LineFault("timestamp", `invalid timestamp ${JSON.stringify(s.slice(start, j).trim().slice(0, 40))} (an integer in the request's precision)`);
      }
      this.i = i;
      const p = this.precision;
      // Whole units of ms or coarser in at most 15 digits: the value read while scanning, exact.
      if (p.drop === 0 && i - digits <= 15) tsMs = digits > start ? -(n * p.times) : n * p.times;
      else tsMs = toMs(s, start, digits, i, p);
      this.skipBlanks();
    }
    // The line must end here.
    const e = s.charCodeAt(this.i);
    if (e === CR) this.i++;
    const f = s.charCodeAt(this.i);
    if (!(this.i >= s.length || f === NL)) throw new LineFault("timestamp", `unexpected text after the timestamp`);
    if (tsMs > this.now + FUTURE_LIMIT_MS) throw new LineFault("timestamp", "timestamp is more than 24 hours in the future");
    if (!Number.isSafeInteger(tsMs)) throw new LineFault("timestamp", "timestamp is out of range");
    this.i++; // past the newline, only once the line is good (a fault skips to the line's end)
    return tsMs;
  }
}

export class TooManyLines extends Error {
  constructor() {
    super(`At most ${MAX_ITEMS} lines per request; split the batch`);
  }
}

const EMPTY: Record<string, string> = Object.freeze({}) as Record<string, string>;
