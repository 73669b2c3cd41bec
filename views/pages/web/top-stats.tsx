/** @jsxImportSource hono/jsx */
import type { ChartData } from "../../../src/dashboards/kinds/line";
import { changeOf, formatMetric, METRIC_LABELS, METRIC_SHORT } from "../../../src/web/dashboard/format";
import type { Periods } from "../../../src/web/dashboard/periods";
import type { TopFigure } from "../../../src/web/dashboard/queries";
import { viewUrl, withMetric, type WebView } from "../../../src/web/dashboard/view";

/** `revenue: false` (a product that takes no payments) leaves out the revenue and RPV numbers. */
export type PanelProps = { base: string; panelUrl: string; view: WebView; periods: Periods; currency: string; top: TopFigure[]; chart: ChartData; revenue?: boolean };

const REVENUE_TILES = new Set(["revenue", "rpv"]);

/**
 * The top numbers and the chart under them: one htmx target, so a click on a number swaps both
 * (the pressed number and the chart's metric) and pushes the URL. Without script the numbers are
 * plain links to the same page with `metric=`.
 */
export function WebPanel(props: PanelProps) {
  const label = METRIC_LABELS[props.view.metric];
  return (
    <section id="web-panel" class="card web-panel" aria-label="Totals and chart">
      <ul class={props.revenue === false ? "web-stats is-five" : "web-stats"} data-testid="web-stats">
        {props.top.filter((f) => props.revenue !== false || REVENUE_TILES.has(f.metric) === false || props.view.metric === f.metric).map((f) => (
          <li>
            <TopStat figure={f} {...props} />
          </li>
        ))}
      </ul>
      <div class="web-chart">
        <div
          class="chart"
          data-chart={JSON.stringify(props.chart)}
          role="img"
          aria-label={`${label} by ${props.periods.interval}, ${props.periods.label}`}
          data-testid="web-chart"
          data-points={String(props.chart.x.length)}
        ></div>
      </div>
    </section>
  );
}

function TopStat(props: PanelProps & { figure: TopFigure }) {
  const f = props.figure;
  const pressed = props.view.metric === f.metric;
  const change = changeOf(f.metric, f.value, f.previous);
  const page = viewUrl(props.base, props.view, withMetric(f.metric));
  const panel = viewUrl(props.panelUrl, props.view, withMetric(f.metric));
  const vs = `vs ${props.periods.previousLabel}: ${formatMetric(f.metric, f.previous, props.currency)}`;
  return (
    <a
      href={page}
      class={pressed ? "web-stat is-active" : "web-stat"}
      aria-current={pressed ? "true" : undefined}
      hx-get={panel}
      hx-target="#web-panel"
      hx-swap="outerHTML"
      hx-push-url={page}
      data-testid={`stat-${f.metric}`}
    >
      <span class="web-stat-label" title={METRIC_LABELS[f.metric]}>
        {f.metric === "rpv" ? <abbr title={METRIC_LABELS.rpv}>{METRIC_SHORT.rpv}</abbr> : METRIC_SHORT[f.metric]}
      </span>
      <span class="web-stat-value" data-value={f.value === null ? "" : String(f.value)}>
        {formatMetric(f.metric, f.value, props.currency)}
      </span>
      {change ? (
        <span class={`web-stat-change ${change.direction === "flat" ? "is-flat" : change.good ? "is-good" : "is-bad"}`} title={vs}>
          {change.direction === "flat" ? null : <span aria-hidden="true">{change.direction === "up" ? "▲ " : "▼ "}</span>}
          <span class="visually-hidden">{change.direction === "up" ? "up" : change.direction === "down" ? "down" : "unchanged"} </span>
          {change.text}
          <span class="visually-hidden"> {vs}</span>
        </span>
      ) : (
        <span class="web-stat-change is-flat" title={vs}>
          <span class="visually-hidden">{vs}</span>
        </span>
      )}
    </a>
  );
}
