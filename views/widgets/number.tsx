/** @jsxImportSource hono/jsx */
import type { NumberData } from "../../src/dashboards/kinds/number";
import { formatFigure, formatNumber, formatPercent } from "./format";

/**
 * A single number: the big tabular figure, and beside it the change against the previous period
 * of equal length (▲ green / ▼ red; the exact previous value and period on hover).
 */
export function NumberWidget(props: { data: NumberData; compare: boolean; periodLabel: string }) {
  const { value, previous, change } = props.data;
  const exact = formatNumber(value);
  return (
    <div class="number-widget">
      <p class="figure" data-testid="widget-figure" data-value={value === null ? "" : String(value)} title={exact}>
        {formatFigure(value)}
      </p>
      {props.compare ? <Change value={value} previous={previous} change={change} periodLabel={props.periodLabel} /> : null}
    </div>
  );
}

function Change(props: { value: number | null; previous: number | null; change: number | null; periodLabel: string }) {
  const hint = `vs ${props.periodLabel}: ${formatNumber(props.previous)}`;
  if (props.change === null) {
    // No base to compare with (nothing before, or a previous total of 0).
    const text = props.previous === 0 && props.value !== null && props.value !== 0 ? `up from 0` : "no earlier data";
    return (
      <p class="change change-flat" title={hint} data-testid="widget-change">
        {text}
      </p>
    );
  }
  const direction = props.change > 0 ? "up" : props.change < 0 ? "down" : "flat";
  const arrow = direction === "up" ? "▲" : direction === "down" ? "▼" : "■";
  const words = direction === "up" ? "up" : direction === "down" ? "down" : "no change";
  return (
    <p class={`change change-${direction}`} title={hint} data-testid="widget-change">
      <span aria-hidden="true">{arrow}</span> <span class="visually-hidden">{words}</span>
      {formatPercent(props.change)} <span class="change-label">vs {props.periodLabel}</span>
    </p>
  );
}
