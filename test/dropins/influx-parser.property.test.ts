import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { parseLineProtocol, parseLineProtocolColumns } from "../../src/dropins/influx/line-protocol";
import { fieldNumber, fieldNumberAt, PRECISION, type Precision } from "../../src/dropins/influx/values";
import { canonicalTags } from "../../src/writer/series-registry";

/**
 * The line-protocol parser's shortcuts against the plain reading they replace: numbers read in
 * place (Clinger's fast path) must be the very double Number() reads, timestamps read while
 * scanning the same milliseconds as the slice-and-Number reading, and the columns built while
 * parsing the same series, slots, times and values as records grouped afterwards.
 */

const digits = (max: number) => fc.stringMatching(new RegExp(`^[0-9]{0,${max}}$`));
// Decimal spellings around the fast path's edges: up to 20 digits either side of the dot
// (the fast path takes at most 15 in all), signs, exponents, i/u suffixes, and junk.
const numberText = fc.oneof(
  fc.tuple(fc.constantFrom("", "-", "+"), digits(20), fc.constantFrom("", "."), digits(20), fc.constantFrom("", "e5", "E-3", "e+400", "e"), fc.constantFrom("", "", "i", "u")).map((p) => p.join("")),
  fc.double({ noNaN: true }).map(String),
  fc.integer().map((n) => `${n}i`),
  fc.nat().map((n) => `${n}u`),
  fc.constantFrom("t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE", "tru", "-0", "-0.0", "0", ".5", "-.5", "5.", ".", "-", "-.", "0x1f", "Infinity", "1e309", "9007199254740993", "999999999999999", "0.000000000000001", "-0i", "-1u", "1.5i", "i", "u"),
  fc.stringMatching(/^[0-9.+\-eEiutf]{0,12}$/),
);
// What ends a value in a line: a delimiter, or the end of the body.
const after = fc.constantFrom("", " 1", ",f=2", "\n", "\r\n", "\t");

describe("field values read in place", () => {
  test("fieldNumberAt is fieldNumber of the slice, bit for bit (-0 included)", () => {
    fc.assert(
      fc.property(fc.constantFrom("", "m v=", "x=1,y="), numberText, after, (before, text, rest) => {
        const s = before + text + rest;
        const got = fieldNumberAt(s, before.length, before.length + text.length);
        const want = fieldNumber(text);
        expect([text, got === undefined ? "refused" : Object.is(got, want) ? "same" : got]).toEqual([text, want === undefined ? "refused" : "same"]);
      }),
      { numRuns: 20_000 },
    );
  });

  test("a plain decimal is exactly the double Number() reads", () => {
    fc.assert(
      fc.property(fc.constantFrom("", "-"), digits(18), fc.constantFrom("", "."), digits(18), (sign, int, dot, frac) => {
        const text = sign + int + dot + frac;
        fc.pre(/[0-9]/.test(text));
        expect([text, Object.is(fieldNumberAt(text, 0, text.length), Number(text))]).toEqual([text, true]);
      }),
      { numRuns: 20_000 },
    );
  });
});

/** The timestamp as the slice-and-Number reading gave it (and BigInt, where that is exact). */
function referenceMs(text: string, precision: Precision): number {
  const { drop, times } = PRECISION[precision];
  const negative = text.startsWith("-");
  const body = negative ? text.slice(1) : text;
  if (drop === 0) {
    const ms = Number(body) * times;
    return negative ? -ms : ms;
  }
  const kept = body.slice(0, Math.max(0, body.length - drop));
  const ms = kept === "" ? 0 : Number(kept);
  const remainder = /[1-9]/.test(body.slice(Math.max(0, body.length - drop)));
  return negative ? -ms - (remainder ? 1 : 0) : ms;
}

describe("timestamps read while scanning", () => {
  const precision = fc.constantFrom<Precision>("ns", "us", "ms", "s", "m", "h");
  const stamp = fc.oneof(
    fc.tuple(fc.constantFrom("", "-"), fc.stringMatching(/^[0-9]{1,21}$/)).map(([s, d]) => s + d),
    fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }).map(String),
  );
  test("every precision: the same milliseconds as the reference, the same refusals", () => {
    const now = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(stamp, precision, (text, p) => {
        const r = parseLineProtocol(`m value=1 ${text}`, p, now);
        const want = referenceMs(text, p);
        const refused = !Number.isSafeInteger(want) || want > now + 24 * 3_600_000;
        if (refused) return expect([text, p, r.errors.length]).toEqual([text, p, 1]);
        expect([text, p, r.errors, Object.is(r.points[0]!.tsMs, want)]).toEqual([text, p, [], true]);
        // Exact integer arithmetic agrees wherever the digits fit a double exactly.
        const { drop, times } = PRECISION[p];
        const big = BigInt(text);
        const d = 10n ** BigInt(drop);
        const floor = big / d - (big < 0n && big % d !== 0n ? 1n : 0n);
        if (text.replace("-", "").length <= 15) expect(want === Number(floor * BigInt(times)) || (want === 0 && floor === 0n)).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe("columns built while parsing", () => {
  const tagSet = fc.dictionary(fc.constantFrom("host", "env", "region", "dc"), fc.constantFrom("a", "b", "c"), { maxKeys: 3 });
  const line = fc.record({
    measurement: fc.constantFrom("cpu", "mem", "disk io"),
    tags: tagSet,
    // Two spellings of one tag set: the parser caches series keys by their text, the writer wants one slot.
    shuffle: fc.boolean(),
    fields: fc.uniqueArray(fc.constantFrom("value", "used", "free", "note"), { minLength: 1, maxLength: 3 }),
    value: fc.double({ noNaN: true, noDefaultInfinity: true }),
    tsMs: fc.integer({ min: 0, max: 1_700_000_000_000 }),
    // A bad line may name a series no good line has: it must not reach the writer.
    bad: fc.boolean(),
  });
  const esc = (s: string) => s.replace(/ /g, "\\ ");

  test("same points, one slot per metric and canonical tag set, no series without a point", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), (lines) => {
        const text = lines
          .map((l) => {
            const keys = Object.keys(l.tags);
            if (l.shuffle) keys.reverse();
            const fields = l.fields.map((f) => (f === "note" ? `${f}="x"` : `${f}=${l.value}`)).join(",");
            return `${esc(l.measurement)}${keys.map((k) => `,${k}=${l.tags[k]}`).join("")} ${fields} ${l.bad ? "later" : l.tsMs}`;
          })
          .join("\n");
        const { columns, errors } = parseLineProtocolColumns(text, "ms", Date.UTC(2026, 0, 1));
        const expected = lines.flatMap((l) =>
          l.bad ? [] : l.fields.filter((f) => f !== "note").map((f) => ({ metric: f === "value" ? l.measurement : `${l.measurement}.${f}`, canonical: canonicalTags(l.tags), value: Number(`${l.value}`), tsMs: l.tsMs })),
        );
        expect(errors.map((e) => e.index)).toEqual(lines.flatMap((l, i) => (l.bad ? [i] : [])));
        const got = Array.from(columns.slot, (slot, k) => ({ metric: columns.series[slot]!.metric, canonical: columns.series[slot]!.canonical, value: columns.value[k]!, tsMs: columns.ts[k]! }));
        expect(got).toEqual(expected);
        const keys = columns.series.map((s) => `${s.metric}|${s.canonical}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(new Set(columns.slot).size).toBe(columns.series.length);
        for (const s of columns.series) expect(canonicalTags(s.tags)).toBe(s.canonical);
      }),
      { numRuns: 500 },
    );
  });
});

test("a series key read in one request is reused by the next, faults included, each with its own line numbers", () => {
  const now = Date.UTC(2026, 0, 1);
  const first = parseLineProtocol("reuse,b=2,a=1 value=1 1\nreuse,bad\\key=x value=1 1", "ms", now);
  const again = parseLineProtocol("x value=0 1\nreuse,bad\\key=x value=1 1\nreuse,a=1,b=2 value=2 2\nreuse,b=2,a=1 value=3 3", "ms", now);
  expect(first.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^line 2: /)]);
  expect(again.errors.map((e) => [e.index, e.field, e.message.replace(/^line \d+/, "")])).toEqual([[1, first.errors[0]!.field, first.errors[0]!.message.replace(/^line \d+/, "")]]);
  expect(again.points.map((p) => [p.metric, p.value, { ...p.tags }])).toEqual([["x", 0, {}], ["reuse", 2, { a: "1", b: "2" }], ["reuse", 3, { a: "1", b: "2" }]]);
  expect(Object.isFrozen(again.points[2]!.tags)).toBe(true);
});
