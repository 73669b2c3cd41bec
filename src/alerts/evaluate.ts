import type { Db } from "../db/connection";
import type { QueryProduct } from "../query/run";
import { conditionKind, conditionTag } from "./conditions";
import type { ConditionKind, Judge, SourceName, Verdict } from "./conditions/kind";
import { parseDuration, MINUTE_MS } from "./durations";
import { HOUR_MS, MinuteSeries, queryKey, type Range, type SourceQuery } from "./minute-data";

/**
 * THE evaluator: live ticks, catch-up after downtime and the 30-day backtest all call it. A rule
 * is judged at minute boundaries; at boundary B its window is [B − window, B). Data comes from
 * the query engine through a SeriesStore, which reads each distinct query once for all the
 * rules (and boundaries) that need it.
 */
export type CompiledRule = {
  id: string;
  product: QueryProduct;
  zone: string;
  windowMs: number;
  cooldownMs: number;
  kind: ConditionKind;
  params: unknown;
  sources: Partial<Record<SourceName, SourceQuery>>;
};

export type Evaluation = Verdict & { at: number };

export type RuleDefinition = { query: SourceQuery; window: string; condition: unknown; cooldown?: string | null };

export function compileRule(id: string, product: QueryProduct, def: RuleDefinition): CompiledRule {
  const kind = conditionKind(conditionTag(def.condition));
  if (!kind) throw new Error(`rule ${id}: unknown condition kind`);
  return {
    id,
    product,
    zone: def.query.timezone ?? product.timezone,
    windowMs: parseDuration(def.window)!,
    cooldownMs: def.cooldown ? parseDuration(def.cooldown)! : 0,
    kind,
    params: def.condition,
    sources: { main: def.query, ...kind.sources?.(def.condition, def.query) },
  };
}

/** Every boundary after `after` up to `through`, at most `max` of them (oldest first). */
export function boundariesBetween(after: number, through: number, max = Infinity): number[] {
  const out: number[] = [];
  for (let b = after + MINUTE_MS; b <= through && out.length < max; b += MINUTE_MS) out.push(b);
  return out;
}

/** Reads each distinct (product, query) once, over the union of what every rule asked of it. */
export class SeriesStore {
  private wanted = new Map<string, { product: QueryProduct; q: SourceQuery; ranges: Range[] }>();
  private loaded = new Map<string, MinuteSeries>();
  private failed = new Map<string, unknown>();
  constructor(private reader: Db, private now: number) {}

  plan(rule: CompiledRule, boundaries: number[]) {
    for (const at of boundaries) {
      for (const need of rule.kind.needs(rule.params, at, rule.windowMs, rule.zone)) {
        const q = rule.sources[need.source]!;
        const key = storeKey(rule.product.id, q, need.range.unit);
        let w = this.wanted.get(key);
        if (!w) this.wanted.set(key, (w = { product: rule.product, q, ranges: [] }));
        w.ranges.push(need.range);
      }
    }
  }

  /** Loads what was planned; calls `between` after each query so a caller can yield the thread. */
  async load(between: () => Promise<void>) {
    for (const key of [...this.wanted.keys()]) {
      this.loadKey(key);
      await between();
    }
  }

  /** The same in one go (the backtest, answering one request). */
  loadAll() {
    for (const key of [...this.wanted.keys()]) this.loadKey(key);
  }

  private loadKey(key: string) {
    const w = this.wanted.get(key)!;
    this.wanted.delete(key);
    // One query refused (query_too_large, say) fails the rules that read it, not the others.
    try {
      if (!this.loaded.has(key)) this.loaded.set(key, MinuteSeries.load(this.reader, w.product, w.q, w.ranges, this.now, key.endsWith("|hour") ? HOUR_MS : MINUTE_MS));
    } catch (err) {
      this.failed.set(key, err);
    }
  }

  /** The number of distinct queries read (rules sharing a query share one read). */
  get reads() {
    return this.loaded.size;
  }

  /** The source's minutes, or (unit "hour") its hours when some rule planned them (else undefined). */
  series(product: QueryProduct, q: SourceQuery, unit?: "hour"): MinuteSeries | undefined {
    const key = storeKey(product.id, q, unit);
    if (this.failed.has(key)) throw this.failed.get(key);
    return this.loaded.get(key);
  }
}

const storeKey = (productId: string, q: SourceQuery, unit?: "hour") => `${queryKey(productId, q)}|${unit ?? "minute"}`;

/** Judges the rule at each boundary (the store must have loaded its plan). */
export function evaluateRule(rule: CompiledRule, boundaries: number[], store: SeriesStore): Evaluation[] {
  const series = new Map<SourceName, { minutes?: MinuteSeries; hours?: MinuteSeries }>();
  for (const [name, q] of Object.entries(rule.sources) as [SourceName, SourceQuery][]) series.set(name, { minutes: store.series(rule.product, q), hours: store.series(rule.product, q, "hour") });
  // Hour buckets answer a range on hour edges that they hold (long baselines); minutes the rest.
  const read = (source: SourceName, from: number, to: number) => {
    const s = series.get(source)!;
    if (s.hours?.covers(from, to)) return s.hours.value(from, to);
    if (!s.minutes) throw new Error(`minutes of ${rule.sources[source]!.metric} were not planned`);
    return s.minutes.value(from, to);
  };
  // Window values repeat across boundaries (a z-score's baseline windows): fold each once.
  const memo = new Map<SourceName, Map<number, number | null>>();
  const judge: Judge = {
    at: 0,
    windowMs: rule.windowMs,
    zone: rule.zone,
    value(source, from, to) {
      if (to - from !== rule.windowMs) return read(source, from, to);
      let m = memo.get(source);
      if (!m) memo.set(source, (m = new Map()));
      let v = m.get(to);
      if (v === undefined) m.set(to, (v = read(source, from, to)));
      return v;
    },
    latest: (source, from, to) => series.get(source)!.minutes!.latest(from, to),
  };
  return boundaries.map((at) => {
    judge.at = at;
    return { at, ...rule.kind.judge(rule.params, judge) };
  });
}
