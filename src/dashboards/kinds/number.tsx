/** @jsxImportSource hono/jsx */
import type { QueryInput, QueryResult } from "../../query/types";
import { formatNumber, formatPercent } from "../../../views/widgets/format";
import { NumberWidget } from "../../../views/widgets/number";
import { numberBody } from "../../../views/snapshots/number";
import { NUMBER_HEIGHT } from "../../../views/snapshots/sizes";
import { isoSeconds } from "../../lib/time/dates";
import { defineKind, type RunQuery } from "./kind";

/**
 * Number: one value over the range (no granularity, no split) and, to show the change, the same
 * over the period of equal length just before it.
 */
export type NumberData = { value: number | null; previous: number | null; change: number | null; from: string; to: string };

export const numberKind = defineKind({
  kind: "number",
  label: "Number",
  hint: "One total, with its change",
  series: false,
  drawsEmpty: true,
  headline: true,
  span: () => "span-3",
  data: async ({ run, input, result, config }) => ({ kind: "number" as const, ...(await numberData(run, input, result, config.compare)) }),
  card: (data, ctx) => <NumberWidget data={data.number} compare={ctx.config.compare} periodLabel={ctx.periodLabel} />,
  snapshot: { half: true, height: () => NUMBER_HEIGHT, body: (data, ctx) => numberBody(data.number, { compare: ctx.compare, periodLabel: ctx.periodLabel }) },
  alt: (data, ctx) => `${ctx.title}: ${formatNumber(data.number.value)}${ctx.compare ? `, ${changeWords(data.number, ctx.periodLabel)}` : ""}`,
  text: (data, ctx) => [`  ${formatNumber(data.number.value)}${ctx.compare ? ` — ${changeWords(data.number, ctx.periodLabel)}` : ""}`],
});

async function numberData(run: RunQuery, input: QueryInput, result: QueryResult, compare: boolean): Promise<{ number: NumberData; empty: boolean }> {
  const value = result.value ?? result.series[0]?.value ?? null;
  let previous: number | null = null;
  const prevInput = compare ? previousPeriodQuery(input, result) : null;
  if (prevInput) {
    const prev = await run(prevInput);
    previous = prev.value ?? prev.series[0]?.value ?? null;
  }
  const change = value !== null && previous !== null && previous !== 0 ? (value - previous) / Math.abs(previous) : null;
  return { number: { value, previous, change, from: result.from, to: result.to }, empty: value === null };
}

function changeWords(n: NumberData, periodLabel: string): string {
  if (n.change === null) return n.previous === 0 && n.value ? `up from 0 vs ${periodLabel}` : `no earlier data to compare`;
  if (n.change === 0) return `no change vs ${periodLabel}`;
  return `${n.change > 0 ? "up" : "down"} ${formatPercent(n.change)} vs ${periodLabel} (${formatNumber(n.previous)})`;
}

/**
 * The period of equal length just before a resolved range: [from − (to − from), from). Uses the
 * engine's echoed bounds so "last 7 days" compares against exactly the 7 days before them.
 */
export function previousPeriodQuery(current: QueryInput, answered: Pick<QueryResult, "from" | "to">): QueryInput | null {
  const from = Date.parse(answered.from);
  const to = Date.parse(answered.to);
  if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
  const { range: _range, ...rest } = current;
  return { ...rest, from: isoSeconds(from - (to - from)), to: isoSeconds(from) };
}
