import type { Db } from "../db/connection";
import type { QueryProduct } from "../query/run";
import { floorMinute, MINUTE_MS } from "./durations";
import { boundariesBetween, compileRule, evaluateRule, SeriesStore, type RuleDefinition } from "./evaluate";
import { stepEpisode } from "./episodes";

/**
 * "Would have fired N times in the last 30 days": the rule judged at every minute boundary of the
 * last 30 days by THE evaluator and episode machine the job uses, from a quiet start. Returns the
 * episodes and an hourly sample (the largest value of each hour, and the threshold then) for the
 * form's small chart.
 */
export const BACKTEST_DAYS = 30;

export type Backtest = {
  from: string;
  to: string;
  fired: number;
  episodes: { startedAt: string; resolvedAt: string | null; value: number | null; threshold: number | null }[];
  chart: { t: string; value: number | null; threshold: number | null; firing: boolean }[];
};

export function backtestRule(reader: Db, product: QueryProduct, def: RuleDefinition, now: number, days = BACKTEST_DAYS): Backtest {
  const through = floorMinute(now);
  const start = through - days * 1440 * MINUTE_MS;
  const rule = compileRule("backtest", product, def);
  const boundaries = boundariesBetween(start, through);
  const store = new SeriesStore(reader, now);
  store.plan(rule, boundaries);
  store.loadAll();
  const evaluations = evaluateRule(rule, boundaries, store);
  const state = { openSince: null as number | null, lastStart: null as number | null };
  const episodes: Backtest["episodes"] = [];
  const chart: Backtest["chart"] = [];
  let hour: Backtest["chart"][number] | null = null;
  for (const e of evaluations) {
    const step = stepEpisode(state, e.firing, e.at, rule.cooldownMs);
    if (step === "start") episodes.push({ startedAt: iso(e.at), resolvedAt: null, value: e.value, threshold: e.threshold });
    if (step === "resolve") episodes[episodes.length - 1]!.resolvedAt = iso(e.at);
    const t = iso(Math.floor((e.at - 1) / 3_600_000) * 3_600_000);
    if (!hour || hour.t !== t) chart.push((hour = { t, value: e.value, threshold: e.threshold, firing: e.firing }));
    else {
      if (e.value !== null && (hour.value === null || e.value > hour.value)) hour.value = e.value;
      if (e.threshold !== null) hour.threshold = e.threshold;
      hour.firing ||= e.firing;
    }
  }
  return { from: iso(start), to: iso(through), fired: episodes.length, episodes, chart };
}

const iso = (ms: number) => new Date(ms).toISOString();
