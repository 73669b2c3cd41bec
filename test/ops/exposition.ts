/**
 * A strict reader of Prometheus' text exposition format (0.0.4), enough to prove /metrics is
 * parseable: `# HELP name text`, `# TYPE name kind` before a family's samples, each sample
 * `name{label="value",…} number`. Throws on any other line.
 */
export type Exposition = { samples: Map<string, number>; types: Map<string, string>; helps: Set<string> };

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const HELP = new RegExp(`^# HELP (${NAME}) \\S.*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\.)*"(?:,(?!\\}))?)*\\})? (\\S+)$`);

export function parseExposition(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const out: Exposition = { samples: new Map(), types: new Map(), helps: new Set() };
  for (const line of text.slice(0, -1).split("\n")) {
    let m = HELP.exec(line);
    if (m) {
      out.helps.add(m[1]!);
      continue;
    }
    m = TYPE.exec(line);
    if (m) {
      if (out.types.has(m[1]!)) throw new Error(`TYPE twice for ${m[1]}`);
      out.types.set(m[1]!, m[2]!);
      continue;
    }
    m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample, HELP or TYPE line: ${JSON.stringify(line)}`);
    const [, name, labels = "", raw] = m as unknown as [string, string, string | undefined, string];
    const value = raw === "+Inf" ? Infinity : raw === "-Inf" ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== "NaN") throw new Error(`not a number: ${line}`);
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const family = out.types.has(name) ? name : out.types.get(base) === "histogram" ? base : null;
    if (!family) throw new Error(`sample before its TYPE line: ${line}`);
    if (!out.helps.has(family)) throw new Error(`no HELP for ${family}`);
    const key = name + labels;
    if (out.samples.has(key)) throw new Error(`sample twice: ${key}`);
    out.samples.set(key, value);
  }
  return out;
}

/** A histogram's `le` buckets in order, checked cumulative and ending at +Inf = _count. */
export function histogramOf(e: Exposition, name: string): { buckets: [string, number][]; sum: number; count: number } {
  const buckets = [...e.samples].filter(([k]) => k.startsWith(`${name}_bucket{`)).map(([k, v]) => [/le="([^"]+)"/.exec(k)![1]!, v] as [string, number]);
  const count = e.samples.get(`${name}_count`)!;
  for (let i = 1; i < buckets.length; i++) if (buckets[i]![1] < buckets[i - 1]![1]) throw new Error(`${name}: buckets not cumulative`);
  if (buckets.at(-1)?.[0] !== "+Inf" || buckets.at(-1)![1] !== count) throw new Error(`${name}: +Inf bucket is not _count`);
  return { buckets, sum: e.samples.get(`${name}_sum`)!, count };
}
