/** @jsxImportSource hono/jsx */
import { RANGE_PRESETS, viewParams, type RangePreset, type WebView } from "../../../src/web/dashboard/view";
import type { Periods } from "../../../src/web/dashboard/periods";

const LABELS: Record<RangePreset, string> = { today: "Today", "24h": "24h", "7d": "7d", "30d": "30d", "90d": "90d", "12mo": "12mo" };

/** The view's other parameters (filters, chart metric) as hidden inputs, so a range change keeps them. */
function KeepView(props: { view: WebView }) {
  const params = viewParams({ ...props.view, range: { kind: "preset", preset: "30d" } });
  return (
    <>
      {[...params].map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
    </>
  );
}

/**
 * Plain GET forms (the range lands in the URL, the page loads for it): presets as a segmented
 * control, custom dates in a disclosure. Works without script.
 */
export function WebRangePicker(props: { base: string; view: WebView; periods: Periods; typed?: { from: string; to: string } }) {
  const { view } = props;
  const range = view.range;
  const custom = range.kind === "custom";
  const [from, to] = range.kind === "custom" ? [range.from, range.to] : props.periods.current.map((d) => d.slice(0, 10));
  return (
    <div class="range-picker web-range" data-testid="web-range">
      <form method="get" action={props.base} class="segmented" role="group" aria-label="Time range">
        <KeepView view={view} />
        {RANGE_PRESETS.map((p) => (
          <button type="submit" name="range" value={p} aria-pressed={view.range.kind === "preset" && view.range.preset === p ? "true" : "false"}>
            {LABELS[p]}
          </button>
        ))}
      </form>
      <details class="custom-range" open={!!view.error}>
        <summary class={custom ? "btn btn-small is-active" : "btn btn-small"} aria-label="Custom dates">
          {custom ? props.periods.label : "Custom"}
        </summary>
        <form method="get" action={props.base} class="custom-range-panel">
          <KeepView view={view} />
          <label>
            From <input class="input" type="date" name="from" value={props.typed?.from ?? from} required aria-invalid={view.error ? "true" : undefined} />
          </label>
          <label>
            To <input class="input" type="date" name="to" value={props.typed?.to ?? to} required aria-invalid={view.error ? "true" : undefined} />
          </label>
          <button type="submit" class="btn btn-small btn-primary">
            Apply
          </button>
          {view.error ? (
            <p class="field-error" role="alert" data-testid="range-error">
              {view.error}
            </p>
          ) : null}
        </form>
      </details>
    </div>
  );
}
