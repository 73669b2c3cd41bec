/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import type { Widget } from "../../../src/dashboards/widgets";
import { kindDef } from "../../../src/dashboards/kinds";
import type { CardBody } from "../../../src/dashboards/load-widget-card";
import { describeWidget } from "../../../src/dashboards/describe-widget";

/**
 * A widget on the dashboard grid. The slot is the grid cell: it keeps the widget's width, holds a
 * skeleton until its card arrives (hx-trigger="load"), and is what drag and drop moves. The card
 * refreshes itself every 60 s, keeping the page's range and its table page and sort in its own URL.
 */
export type WidgetUrls = { self: string; edit: string; remove: string; alert?: string };

export function widgetSpan(widget: Pick<Widget, "kind" | "config">): string {
  return kindDef(widget.kind).span(widget.config);
}

export function WidgetSlot(props: { widget: Widget; urls: WidgetUrls; oob?: string; children?: Child }) {
  const { widget } = props;
  return (
    <div
      class={`widget-slot ${widgetSpan(widget)}`}
      id={`widget-slot-${widget.id}`}
      data-widget-id={widget.id}
      data-widget-title={widget.title}
      hx-get={props.urls.self}
      hx-trigger="load"
      hx-swap="innerHTML"
      hx-swap-oob={props.oob}
    >
      {props.children ?? <WidgetSkeleton widget={widget} />}
    </div>
  );
}

/** An out-of-band insertion: htmx strips this wrapper and appends its children to the target. */
export function OobAppend(props: { target: string; children: Child }) {
  return <div hx-swap-oob={`beforeend:${props.target}`}>{props.children}</div>;
}

export function WidgetSkeleton(props: { widget: Pick<Widget, "kind" | "title"> }) {
  return (
    <article class={`card widget widget-${props.widget.kind} is-loading`} aria-busy="true">
      <header class="widget-head">
        <h2 class="widget-title">{props.widget.title}</h2>
      </header>
      <div class="widget-body">
        <div class="skeleton" aria-hidden="true"></div>
        <span class="visually-hidden">Loading…</span>
      </div>
      <footer class="widget-foot">&nbsp;</footer>
    </article>
  );
}

export type { CardBody };

/** The card the widget's own GET route answers with (swapped into its slot). */
export function WidgetCard(props: { widget: Widget; urls: WidgetUrls; refreshUrl: string; exportUrl: string | null; rangeLabel: string; body: CardBody }) {
  const { widget, body } = props;
  return (
    <article
      class={`card widget widget-${widget.kind}${"error" in body ? " widget-error" : ""}`}
      data-testid="widget"
      data-widget-kind={widget.kind}
      aria-labelledby={`widget-title-${widget.id}`}
      hx-get={props.refreshUrl}
      hx-trigger="every 60s"
      hx-target="closest .widget-slot"
      hx-swap="innerHTML"
    >
      <header class="widget-head">
        <button type="button" class="drag-handle" draggable="true" aria-label={`Drag to move ${widget.title}`} title="Drag to reorder">
          <span aria-hidden="true">⠿</span>
        </button>
        <h2 class="widget-title" id={`widget-title-${widget.id}`}>
          {widget.title}
        </h2>
        <WidgetMenu widget={widget} urls={props.urls} exportUrl={props.exportUrl} />
      </header>
      <div class="widget-body">{"error" in body ? <ErrorBody message={body.error} /> : <Body widget={widget} body={body} url={props.urls.self} />}</div>
      <footer class="widget-foot">{widget.config ? describeConfig(widget, props.rangeLabel, "data" in body ? body.data.coarsened : undefined) : "Needs editing"}</footer>
    </article>
  );
}

function Body(props: { widget: Widget; body: Extract<CardBody, { data: unknown }>; url: string }) {
  const { data, periodLabel } = props.body;
  const config = props.widget.config!;
  const kind = kindDef(props.widget.kind);
  if (data.empty && !kind.drawsEmpty) return <EmptyBody metric={config.metric} filtered={Object.keys(config.filters).length > 0} />;
  return kind.card(data, { config, periodLabel, url: props.url });
}

function EmptyBody(props: { metric: string; filtered: boolean }) {
  return (
    <div class="widget-empty" data-testid="widget-empty">
      <p>
        No data for <strong>{props.metric}</strong> in this range.
      </p>
      <p class="muted">{props.filtered ? "Try removing a filter or widening the range." : "Send a point with this metric name, or widen the range."}</p>
    </div>
  );
}

function ErrorBody(props: { message: string }) {
  return (
    <div class="widget-empty widget-problem" role="alert" data-testid="widget-problem">
      <p>This widget can't be shown.</p>
      <p class="muted">{props.message}</p>
    </div>
  );
}

/** The kebab menu: a <details> works without script; static/dashboards.js closes it on Esc or an outside click. */
function WidgetMenu(props: { widget: Widget; urls: WidgetUrls; exportUrl: string | null }) {
  const { widget } = props;
  return (
    <details class="menu">
      <summary class="icon-btn" aria-label={`Actions for ${widget.title}`} title="Actions">
        <span aria-hidden="true">⋮</span>
      </summary>
      <div class="menu-items">
        <button type="button" class="menu-item" hx-get={props.urls.edit} hx-target="#widget-editor" hx-swap="innerHTML">
          Edit
        </button>
        {props.urls.alert ? (
          <a class="menu-item" href={props.urls.alert} data-testid="alert-on-this">
            Alert on this
          </a>
        ) : null}
        {props.exportUrl ? (
          <a class="menu-item" href={props.exportUrl} download>
            Export CSV
          </a>
        ) : null}
        <button type="button" class="menu-item" x-on:click="moveEarlier">
          Move earlier
        </button>
        <button type="button" class="menu-item" x-on:click="moveLater">
          Move later
        </button>
        <button
          type="button"
          class="menu-item menu-danger"
          hx-post={props.urls.remove}
          hx-target="closest .widget-slot"
          hx-swap="delete"
          hx-confirm={`Remove the widget “${widget.title}”?`}
        >
          Remove
        </button>
      </div>
    </details>
  );
}

/** "signups · sum · by day · country = US · split by plan · Last 7 days" (the granularity used, when coarsened) */
function describeConfig(widget: Widget, rangeLabel: string, coarsened?: string): string {
  return [describeWidget(widget, { coarsened, not: "≠" }), rangeLabel].join(" · ");
}
