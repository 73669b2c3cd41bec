import { MAX_NAME, MAX_TAGS, metricProblem, tagKeyProblem, tagValueProblem } from "../../lib/names";

/**
 * One StatsD line (https://github.com/statsd/statsd/blob/master/docs/metric_types.md), with
 * DogStatsD's tags (https://docs.datadoghq.com/developers/dogstatsd/datagram_shell/):
 *
 *   <name>:<value>|<type>[|@<sample rate>][|#<tag>[:<value>],…]
 *
 * Types: c (counter), g (gauge; a leading + or − makes it a change of the last value), ms / h /
 * d (timer, histogram, distribution: one summary), s (set). A tag without a value is stored as
 * `<tag>: "true"`. DogStatsD's other sections (`|c:<container>`, `|T<timestamp>`) are skipped;
 * events (`_e{…}`) and service checks (`_sc|…`) are not metrics and are skipped too. Names and
 * tags pass the native rules; a line that fails them is dropped (UDP has no one to tell).
 */
export type StatsdType = "counter" | "gauge" | "timer" | "set";
export type StatsdSample = {
  name: string;
  type: StatsdType;
  value: number;
  /** For sets: the member as sent. */
  member?: string;
  /** Gauges: a relative change (+5 / −5) rather than a new value. */
  delta?: boolean;
  rate: number;
  tags: Record<string, string>;
};

const TYPES: Record<string, StatsdType> = { c: "counter", g: "gauge", ms: "timer", h: "timer", d: "timer", s: "set" };
// Room for the longest suffix a timer adds (".count"), so every derived metric name is valid too.
const MAX_BASE = MAX_NAME - ".count".length;

export type LineResult = StatsdSample | { skip: true } | { problem: string };

export function parseStatsdLine(line: string): LineResult {
  if (line === "" || line.startsWith("_e{") || line.startsWith("_sc|")) return { skip: true };
  const colon = line.lastIndexOf(":", line.indexOf("|"));
  const bar = line.indexOf("|");
  if (colon <= 0 || bar < colon) return { problem: "expected <name>:<value>|<type>" };
  const name = line.slice(0, colon);
  const sections = line.slice(colon + 1).split("|");
  const rawValue = sections[0]!;
  const type = TYPES[sections[1] ?? ""];
  if (!type) return { problem: `unknown type "${sections[1] ?? ""}" (c, g, ms, h, d or s)` };
  if (name.length > MAX_BASE) return { problem: `name longer than ${MAX_BASE} characters` };
  const nameProblem = metricProblem(name);
  if (nameProblem) return { problem: nameProblem };
  let rate = 1;
  let tags: Record<string, string> = {};
  for (let i = 2; i < sections.length; i++) {
    const s = sections[i]!;
    if (s.startsWith("@")) {
      rate = Number(s.slice(1));
      if (!(rate > 0 && rate <= 1)) return { problem: `sample rate must be in (0, 1], got "${s.slice(1)}"` };
    } else if (s.startsWith("#")) {
      const t = readTags(s.slice(1));
      if (typeof t === "string") return { problem: t };
      tags = t;
    }
  }
  if (type === "set") {
    if (rawValue === "") return { problem: "a set member must not be empty" };
    return { name, type, value: 1, member: rawValue, rate, tags };
  }
  const delta = type === "gauge" && (rawValue.startsWith("+") || rawValue.startsWith("-"));
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(rawValue) ? Number(rawValue) : NaN;
  if (!Number.isFinite(value)) return { problem: `value must be a number, got "${rawValue.slice(0, 40)}"` };
  return { name, type, value, rate, tags, ...(delta ? { delta: true } : {}) };
}

function readTags(list: string): Record<string, string> | string {
  const tags: Record<string, string> = {};
  let n = 0;
  for (const part of list.split(",")) {
    if (part === "") continue;
    const colon = part.indexOf(":");
    const key = colon < 0 ? part : part.slice(0, colon);
    const value = colon < 0 ? "true" : part.slice(colon + 1);
    const problem = tagKeyProblem(key) ?? tagValueProblem(value || "true");
    if (problem) return `tag "${key}": ${problem}`;
    if (!Object.hasOwn(tags, key)) n++;
    tags[key] = value || "true";
  }
  if (n > MAX_TAGS) return `at most ${MAX_TAGS} tags`;
  return tags;
}
