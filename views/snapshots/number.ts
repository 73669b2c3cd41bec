import type { NumberData } from "../../src/dashboards/kinds/number";
import { formatFigure, formatPercent } from "../widgets/format";
import { arrow } from "./card";
import { box, text, TOKENS, type Node } from "./tree";

/** The big figure and its change against the previous period (▲ green / ▼ red), as on the web card. */
export function numberBody(data: NumberData, opts: { compare: boolean; periodLabel: string }): Node {
  return box(
    { flex: 1, flexDirection: "column", justifyContent: "center", gap: 6 },
    text({ fontSize: 34, fontWeight: 600, letterSpacing: -0.8, lineHeight: 1.1, color: data.value === null ? TOKENS.muted : TOKENS.text }, formatFigure(data.value)),
    opts.compare ? changeRow(data, opts.periodLabel) : null,
  );
}

function changeRow(data: NumberData, periodLabel: string): Node {
  const muted = { fontSize: 12, color: TOKENS.muted };
  if (data.change === null) {
    const words = data.previous === 0 && data.value !== null && data.value !== 0 ? "up from 0" : "no earlier data";
    return box({ alignItems: "center", gap: 6 }, text(muted, words), text(muted, `vs ${periodLabel}`));
  }
  const direction = data.change > 0 ? "up" : data.change < 0 ? "down" : "flat";
  const color = direction === "up" ? TOKENS.up : direction === "down" ? TOKENS.down : TOKENS.muted;
  return box(
    { alignItems: "center", gap: 6 },
    direction === "flat" ? box({ width: 9, height: 2, backgroundColor: color }) : arrow(direction, color),
    text({ fontSize: 12, fontWeight: 600, color }, direction === "flat" ? "no change" : formatPercent(data.change)),
    text(muted, `vs ${periodLabel}`),
  );
}
