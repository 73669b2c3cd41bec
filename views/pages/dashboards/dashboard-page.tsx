/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { DocumentTitle, Layout } from "../../layout";
import type { Widget } from "../../../src/dashboards/widgets";
import { DASHBOARD_PRESETS } from "../../../src/dashboards/range";
import { PER_WIDGET, type ViewRange } from "../../../src/dashboards/view-range";
import { WidgetSlot, type WidgetUrls } from "./widget-card";
import { DashboardScripts } from "./scripts";

/**
 * One dashboard: title (click to rename), the dashboard-wide range, "Add widget", and the
 * 12-column grid of widget slots, each loading its own card. The `widgetGrid` Alpine component
 * (static/dashboards.js) handles drag and drop and the keyboard "move" buttons, then posts the
 * new order through the hidden form.
 */
export type DashboardUrls = { base: string; product: string; reports: string; order: string; newWidget: string };

export function DashboardPage(props: {
  header?: Child;
  product: { id: string; name: string };
  dashboard: { id: string; name: string; range: string | null };
  view: ViewRange;
  widgets: Widget[];
  widgetUrls: (w: Widget) => WidgetUrls;
  urls: DashboardUrls;
  editor?: Child;
}) {
  const { dashboard, urls } = props;
  return (
    <Layout title={dashboardTitle(dashboard.name, props.product.name)} header={props.header}>
      <DashboardScripts charts />
      <div class="dashboard" x-data="widgetGrid">
        <div class="dashboard-head">
          <div class="dashboard-title-block">
            <p class="eyebrow">
              <a href={urls.product}>{props.product.name}</a>
            </p>
            <DashboardTitle name={dashboard.name} base={urls.base} />
          </div>
          <div class="dashboard-actions">
            <RangePicker base={urls.base} view={props.view} saved={dashboard.range} />
            <button type="button" class="btn btn-primary" hx-get={urls.newWidget} hx-target="#widget-editor" hx-swap="innerHTML" data-testid="add-widget">
              + Add widget
            </button>
            <a class="btn" href={urls.reports}>
              Email reports
            </a>
          </div>
        </div>

        <section id="widget-editor" class="widget-editor" aria-live="polite">
          {props.editor}
        </section>

        <div id="widget-grid" class="widget-grid" data-testid="widget-grid" x-on:dragstart="dragStart" x-on:dragover="dragOver" x-on:drop="drop" x-on:dragend="dragEnd">
          {props.widgets.map((w) => (
            <WidgetSlot widget={w} urls={props.widgetUrls(w)} />
          ))}
        </div>

        <div class="card dashboard-empty" data-testid="dashboard-empty">
          <h2>This dashboard is empty</h2>
          <p class="muted">Add a line chart, a number or a table of any metric you send.</p>
          <button type="button" class="btn btn-primary" hx-get={urls.newWidget} hx-target="#widget-editor" hx-swap="innerHTML">
            + Add your first widget
          </button>
        </div>

        <form class="visually-hidden" x-ref="orderForm" hx-post={urls.order} hx-trigger="reorder" hx-swap="none" aria-hidden="true">
          <input type="hidden" name="ids" x-ref="orderIds" value="" />
        </form>
        <p class="visually-hidden" aria-live="polite" x-text="announcement"></p>

        <footer class="dashboard-foot">
          <DeleteDashboard base={urls.base} name={dashboard.name} count={props.widgets.length} />
        </footer>
      </div>
    </Layout>
  );
}

const dashboardTitle = (name: string, productName: string) => `${name} · ${productName}`;

/** The title; clicking it swaps in the rename form (its own partial). After a rename it brings the tab title along. */
export function DashboardTitle(props: { name: string; base: string; productName?: string }) {
  return (
    <>
      {props.productName ? <DocumentTitle title={dashboardTitle(props.name, props.productName)} /> : null}
      <h1 id="dashboard-title" class="dashboard-title">
        <button type="button" class="title-button" hx-get={`${props.base}/rename`} hx-target="#dashboard-title" hx-swap="outerHTML" title="Click to rename" data-testid="dashboard-title">
          {props.name}
          <span class="edit-mark" aria-hidden="true">
            ✎
          </span>
          <span class="visually-hidden"> (rename)</span>
        </button>
      </h1>
    </>
  );
}

export function RenameForm(props: { name: string; base: string; error?: string }) {
  return (
    <form id="dashboard-title" class="rename-form" method="post" action={`${props.base}/rename`} hx-post={`${props.base}/rename`} hx-target="this" hx-swap="outerHTML">
      <label class="visually-hidden" for="dashboard-name">
        Dashboard name
      </label>
      <input
        id="dashboard-name"
        class="input input-title"
        name="name"
        value={props.name}
        maxlength={100}
        autofocus
        required
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={props.error ? "dashboard-name-error" : undefined}
      />
      <button type="submit" class="btn btn-primary">
        Save
      </button>
      <button type="button" class="btn btn-ghost" hx-get={`${props.base}/title`} hx-target="#dashboard-title" hx-swap="outerHTML" data-cancel>
        Cancel
      </button>
      {props.error ? (
        <p class="field-error" id="dashboard-name-error" role="alert">
          {props.error}
        </p>
      ) : null}
    </form>
  );
}

const PRESET_LABELS: Record<string, string> = { "24h": "24h", "7d": "7d", "30d": "30d", "90d": "90d", "12mo": "12mo" };

/**
 * The range this person looks at (src/dashboards/view-range.ts): plain GET forms, so the choice
 * lands in the URL and the page with its widgets loads for it. "Save as default" stores the
 * current view as the dashboard's range (what others open and reports cover).
 */
export function RangePicker(props: { base: string; view: ViewRange; saved: string | null }) {
  const { view } = props;
  const custom = view.value?.startsWith("custom:") ?? false;
  return (
    <div id="range-picker" class="range-picker" data-testid="range-picker">
      <form method="get" action={props.base} class="segmented" role="group" aria-label="Time range for every widget">
        <button type="submit" name="range" value={PER_WIDGET} aria-pressed={view.value === null ? "true" : "false"} title="Each widget uses its own range">
          Per widget
        </button>
        {DASHBOARD_PRESETS.map((p) => (
          <button type="submit" name="range" value={p} aria-pressed={view.value === p ? "true" : "false"}>
            {PRESET_LABELS[p]}
          </button>
        ))}
      </form>
      <details class="custom-range" open={!!view.error}>
        <summary class={custom ? "btn btn-small is-active" : "btn btn-small"} aria-label="Custom dates">
          {custom ? (view.customDates.label ?? `${view.customDates.from} – ${view.customDates.to}`) : "Custom"}
        </summary>
        <form method="get" action={props.base} class="custom-range-panel">
          <label>
            From <input class="input" type="date" name="from" value={view.customDates.from} aria-invalid={view.error ? "true" : undefined} />
          </label>
          <label>
            To <input class="input" type="date" name="to" value={view.customDates.to} aria-invalid={view.error ? "true" : undefined} />
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
      {!view.error && view.value !== props.saved ? <SaveDefault base={props.base} view={view} /> : null}
    </div>
  );
}

/** Stores what this person is looking at as the dashboard's range (the POST the range route takes). */
function SaveDefault(props: { base: string; view: ViewRange }) {
  const { view } = props;
  const custom = view.value?.startsWith("custom:") ?? false;
  return (
    <form method="post" action={`${props.base}/range`} class="save-range">
      <input type="hidden" name="range" value={custom ? "custom" : (view.value ?? "")} />
      {custom ? <input type="hidden" name="from" value={view.customDates.from} /> : null}
      {custom ? <input type="hidden" name="to" value={view.customDates.to} /> : null}
      <button type="submit" class="btn btn-small btn-ghost" title="Everyone opening this dashboard, and its email reports, get this range">
        Save as default
      </button>
    </form>
  );
}

function DeleteDashboard(props: { base: string; name: string; count: number }) {
  return (
    <details class="confirm" data-testid="delete-dashboard">
      <summary class="btn btn-small btn-danger-quiet">Delete dashboard</summary>
      <div class="confirm-panel" role="dialog" aria-label="Delete dashboard">
        <p>
          Delete “{props.name}” and its {props.count} widget{props.count === 1 ? "" : "s"}? Email reports of this dashboard stop too. This cannot be undone.
        </p>
        <form method="post" action={`${props.base}/delete`}>
          <button type="submit" class="btn btn-small btn-danger">
            Delete dashboard
          </button>
        </form>
      </div>
    </details>
  );
}
