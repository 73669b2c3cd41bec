import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fmt, maxOf, median, minOf } from "./stats";

/**
 * Measurements by key, one value per round (so ratios are taken round by round, inside one run),
 * each with its unit and the durability setting it was measured under. Everything recorded is
 * also appended as a JSON line to bench/results/<timestamp>.jsonl.
 */
export type Measure = { key: string; label: string; unit: string; values: number[]; note?: string };
type Goal = { id?: string; must?: boolean; title: string; num?: string; den?: string; value?: string; op: ">=" | "<="; threshold: number };
export type Verdict = { goal: Goal; values: number[]; verdict: "PASS" | "FAIL" | "n/a"; figures: string };

const BENCH_DIR = resolve(import.meta.dir, "..");

export class Recorder {
  readonly measures = new Map<string, Measure>();
  readonly notes: string[] = [];
  readonly file: string;

  constructor(readonly meta: Record<string, unknown>) {
    mkdirSync(join(BENCH_DIR, "results"), { recursive: true });
    this.file = join(BENCH_DIR, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
    this.line({ type: "run", ...meta });
  }

  add(key: string, value: number, unit: string, label: string, note?: string, extra: Record<string, unknown> = {}) {
    let m = this.measures.get(key);
    if (!m) this.measures.set(key, (m = { key, label, unit, values: [], note }));
    m.values.push(value);
    this.line({ type: "sample", key, label, unit, value, round: m.values.length, note, ...extra });
  }

  note(text: string) {
    this.notes.push(text);
    this.line({ type: "note", text });
    process.stderr.write(`  · ${text}\n`);
  }

  values(key: string): number[] {
    return this.measures.get(key)?.values ?? [];
  }

  line(obj: Record<string, unknown>) {
    appendFileSync(this.file, JSON.stringify({ t: new Date().toISOString(), ...obj }) + "\n");
  }
}

export function loadGoals(): { goals: Goal[]; trend: Goal[] } {
  return JSON.parse(readFileSync(join(BENCH_DIR, "goals.json"), "utf8"));
}

/** Per-round ratios when both sides have one value per round, else the ratio of medians. */
function ratioValues(num: number[], den: number[]): number[] {
  if (!num.length || !den.length) return [];
  if (num.length === den.length) return num.map((n, i) => n / den[i]!);
  return [median(num) / median(den)];
}

export function evaluate(rec: Recorder, goal: Goal): Verdict {
  const values = goal.value ? rec.values(goal.value) : ratioValues(rec.values(goal.num!), rec.values(goal.den!));
  const show = (key: string) => {
    const m = rec.measures.get(key);
    return m ? `${fmt(median(m.values))} ${m.unit}` : "n/a";
  };
  const figures = goal.value ? show(goal.value) : `${show(goal.num!)} vs ${show(goal.den!)}`;
  if (!values.length || values.some((v) => !Number.isFinite(v))) return { goal, values, verdict: "n/a", figures };
  const m = median(values);
  const ok = goal.op === ">=" ? m >= goal.threshold : m <= goal.threshold;
  return { goal, values, verdict: ok ? "PASS" : "FAIL", figures };
}

const spread = (xs: number[]) => (xs.length > 1 ? ` [${fmt(minOf(xs))}–${fmt(maxOf(xs))}]` : "");
const cell = (xs: number[]) => (xs.length ? `${fmt(median(xs))}${spread(xs)}` : "n/a");

/** The table a reader gets: goals with PASS/FAIL, then every absolute figure with its setting. */
export function renderTables(rec: Recorder): { text: string; verdicts: Verdict[] } {
  const { goals, trend } = loadGoals();
  const verdicts = goals.map((g) => evaluate(rec, g));
  const out: string[] = [];
  out.push("| goal | measured: median [min–max over rounds] | threshold | verdict | absolute figures (median) |");
  out.push("|---|---|---|---|---|");
  for (const v of verdicts) {
    const g = v.goal;
    out.push(`| ${g.id}${g.must ? " (must)" : ""} ${g.title} | ${cell(v.values)} | ${g.op} ${g.threshold} | ${v.verdict} | ${v.figures} |`);
  }
  out.push("");
  out.push("| absolute figure (trend) | median [min–max] | target | |");
  out.push("|---|---|---|---|");
  for (const t of trend) {
    const v = evaluate(rec, t);
    const m = rec.measures.get(t.value!);
    out.push(`| ${t.title} | ${cell(v.values)}${m ? " " + m.unit : ""} | ${t.op} ${fmt(t.threshold)} | ${v.verdict === "n/a" ? "n/a" : v.verdict === "PASS" ? "ok" : "below target"} |`);
  }
  out.push("");
  out.push("| measurement | median [min–max] | unit | setting |");
  out.push("|---|---|---|---|");
  for (const m of rec.measures.values()) out.push(`| ${m.label} | ${cell(m.values)} | ${m.unit} | ${m.note ?? ""} |`);
  return { text: out.join("\n"), verdicts };
}
