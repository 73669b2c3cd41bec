/** @jsxImportSource hono/jsx */
import type { ChartData } from "../../src/dashboards/kinds/line";

/**
 * A time-series chart. The server sends the data as a JSON attribute (attribute escaping keeps it
 * safe, and unlike an inline script it passes the strict CSP); static/charts.js draws it with
 * uPlot. The legend is HTML so it reads without script and wraps on a phone.
 */
export function LineWidget(props: { chart: ChartData; metric: string }) {
  const { chart } = props;
  const label = `Line chart of ${props.metric}, ${chart.x.length} ${chart.granularity ?? "bucket"}${chart.x.length === 1 ? "" : "s"}`;
  return (
    <div class="line-widget">
      <div class="chart" data-chart={JSON.stringify(chart)} role="img" aria-label={label} data-testid="widget-chart" data-points={String(chart.x.length)}></div>
      {chart.series.length > 1 ? (
        <ul class="legend">
          {chart.series.map((s, i) => (
            <li>
              <span class={`swatch series-${(i % 8) + 1}`} aria-hidden="true"></span>
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
