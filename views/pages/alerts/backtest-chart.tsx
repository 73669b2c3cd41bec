/** @jsxImportSource hono/jsx */
import type { Backtest } from "../../../src/alerts/backtest";
import { formatValue } from "../../../src/alerts/payload";

/**
 * The backtest as a small SVG: the rule's value (largest per hour) over 30 days, its threshold as
 * a dashed line, and the hours it would have fired shaded. Drawn on the server (no script), styled
 * by classes in app.css so the CSP holds.
 */
const W = 600;
const H = 120;
const PAD = 4;

export function BacktestChart(props: { backtest: Backtest; highlight?: string }) {
  const pts = props.backtest.chart;
  const values = pts.flatMap((p) => [p.value, p.threshold]).filter((v): v is number => v !== null && Number.isFinite(v));
  if (!pts.length || !values.length) return <p class="muted">No data in the last 30 days for this query.</p>;
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const x = (i: number) => PAD + (i / Math.max(1, pts.length - 1)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - ((v - lo) / span) * (H - 2 * PAD);
  const line = (pick: (p: (typeof pts)[number]) => number | null) =>
    pts
      .map((p, i) => [i, pick(p)] as const)
      .filter(([, v]) => v !== null && Number.isFinite(v))
      .map(([i, v]) => `${x(i).toFixed(1)},${y(v!).toFixed(1)}`)
      .join(" ");
  const band = (W - 2 * PAD) / Math.max(1, pts.length - 1);
  const hl = props.highlight ? pts.findIndex((p) => p.t === props.highlight) : -1;
  return (
    <figure class="backtest-chart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`The value over the last 30 days, between ${formatValue(lo)} and ${formatValue(hi)}, and the threshold`}>
        {pts.map((p, i) => (p.firing ? <rect class="bt-firing" x={(x(i) - band / 2).toFixed(1)} y="0" width={band.toFixed(2)} height={String(H)} /> : null))}
        {hl >= 0 ? <rect class="bt-highlight" x={(x(hl) - 1).toFixed(1)} y="0" width="2" height={String(H)} /> : null}
        <polyline class="bt-threshold" points={line((p) => p.threshold)} fill="none" />
        <polyline class="bt-value" points={line((p) => p.value)} fill="none" />
      </svg>
      <figcaption class="muted small">
        {props.backtest.from.slice(0, 10)} – {props.backtest.to.slice(0, 10)} · value <span class="bt-key bt-key-value" aria-hidden="true"></span> · threshold{" "}
        <span class="bt-key bt-key-threshold" aria-hidden="true"></span> · would have fired <span class="bt-key bt-key-firing" aria-hidden="true"></span>
      </figcaption>
    </figure>
  );
}

export function BacktestPreview(props: { backtest?: Backtest; error?: string }) {
  if (props.error) return <p class="muted" data-testid="backtest">Preview: {props.error}</p>;
  const bt = props.backtest!;
  return (
    <div data-testid="backtest" class="stack">
      <p class="backtest-summary">
        Would have fired <strong data-testid="backtest-count">{bt.fired}</strong> {bt.fired === 1 ? "time" : "times"} in the last 30 days.
      </p>
      <BacktestChart backtest={bt} />
    </div>
  );
}
