/** @jsxImportSource hono/jsx */
import { box, text, TOKENS, type Node } from "../../../views/snapshots/tree";
import { CARD_CHROME_H } from "../../../views/snapshots/sizes";
import { formatNumber } from "../../../views/widgets/format";
import { FunnelChart } from "../../../views/pages/funnels/funnel-chart";
import { defineKind } from "./kind";

/**
 * Funnel: a saved funnel (the tag filter `funnel` names it) over the widget's range, as bars of
 * each step's visitors or users with the conversion from step 1 — `insight:funnel` of the
 * engine's front door, which runs the one funnel engine, so card, PNG and API agree.
 */
export type FunnelStepData = { name: string; visitors: number; rate: number };
export type FunnelData = { steps: FunnelStepData[]; by: "visitor" | "user" };

const ROW_H = 34;

const stepsOf = (series: { tags: Record<string, string>; value?: number | null }[]): FunnelStepData[] => {
  const first = series[0]?.value ?? 0;
  return series.map((s) => ({
    name: (s.tags.step ?? "").replace(/^\d+\.\s*/, ""),
    visitors: s.value ?? 0,
    rate: first ? Math.round(((s.value ?? 0) / first) * 1000) / 10 : 0,
  }));
};

export const funnelKind = defineKind({
  kind: "funnel",
  label: "Funnel",
  hint: "A saved funnel's steps and drop-off",
  metric: "insight:funnel",
  series: false,
  drawsEmpty: false,
  headline: false,
  span: (config) => (config?.size === "full" ? "span-12" : "span-6"),
  describe: () => "saved funnel · steps in order, each after the one before",
  data: ({ result }) => {
    const steps = stepsOf(result.series);
    const by = result.series[0]?.tags.by === "user" ? ("user" as const) : ("visitor" as const);
    return { kind: "funnel" as const, funnel: { steps, by }, empty: steps.length === 0 || steps[0]!.visitors === 0 };
  },
  card: (data) => (
    <FunnelChart
      answer={{
        by: data.funnel.by,
        steps: data.funnel.steps.map((s, i) => ({
          name: s.name,
          visitors: s.visitors,
          conversion_rate: s.rate,
          drop_off: i === 0 ? 0 : data.funnel.steps[i - 1]!.visitors - s.visitors,
          median_seconds_to_convert: null,
          time_to_convert: [],
        })),
      }}
    />
  ),
  snapshot: {
    half: false,
    height: (data) => CARD_CHROME_H + ROW_H * Math.max(2, data?.funnel.steps.length ?? 2),
    body: (data, ctx) => funnelBody(data.funnel, ctx.width),
  },
  alt: (data, ctx) => `${ctx.title}: ${data.funnel.steps.map((s) => `${s.name} ${formatNumber(s.visitors)} (${s.rate}%)`).join(", then ")}`,
  text: (data) => data.funnel.steps.map((s, i) => `  ${i + 1}. ${s.name}: ${formatNumber(s.visitors)} (${s.rate}%)`),
});

/** Bars as boxes whose widths are the shares of step 1; every figure also as text (satori draws it as paths). */
function funnelBody(f: FunnelData, width: number): Node {
  const first = f.steps[0]?.visitors ?? 0;
  const label = 150;
  const figure = 110;
  const bar = Math.max(40, width - label - figure - 16);
  const rows = f.steps.map((s) =>
    box(
      { height: ROW_H, alignItems: "center", fontSize: 12 },
      text({ width: label, color: TOKENS.text, overflow: "hidden" }, s.name),
      box(
        { width: bar, height: 12, backgroundColor: TOKENS.grid, borderRadius: 3 },
        box({ width: Math.round(first ? (bar * s.visitors) / first : 0), height: 12, backgroundColor: TOKENS.accent, borderRadius: 3 }),
      ),
      text({ width: figure, justifyContent: "flex-end", color: TOKENS.muted }, `${formatNumber(s.visitors)} · ${s.rate}%`),
    ),
  );
  return box({ flexDirection: "column", width }, rows);
}
