/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { DashboardScripts } from "../dashboards/scripts";
import { FILTER_DIMENSIONS, viewUrl, withoutFilter, type WebView } from "../../../src/web/dashboard/view";
import type { Periods } from "../../../src/web/dashboard/periods";
import { WebRangePicker } from "./range-picker";
import { WebPanel, type PanelProps } from "./top-stats";
import { BreakdownCard, DBIP_URL, type BreakdownProps } from "./breakdown-card";
import { LtvCard, MrrCard, type LtvCardProps, type MrrCardProps } from "./revenue-cards";

export type WebDashboardProps = {
  header?: Child;
  product: { id: string; name: string };
  view: WebView;
  periods: Periods;
  urls: { base: string; panel: string; realtime: string; install: string };
  panel: PanelProps;
  cards: BreakdownProps[];
  /** MRR and LTV, for a product that takes payments. */
  revenue?: { mrr: MrrCardProps; ltv: LtvCardProps };
  realtime: number;
  /** Nothing counted yet in this period: the page points at the install page. */
  empty: boolean;
};

const FILTER_LABELS: Record<string, string> = {
  source: "Source",
  referrer: "Referrer",
  utm_source: "UTM source",
  utm_medium: "UTM medium",
  utm_campaign: "UTM campaign",
  utm_content: "UTM content",
  utm_term: "UTM term",
  page: "Page",
  entry_page: "Entry page",
  exit_page: "Exit page",
  country: "Country",
  region: "Region",
  device: "Device",
  browser: "Browser",
  os: "OS",
  goal: "Goal",
};

/**
 * The web dashboard (DESIGN.md "Web analytics", UI.md "Wave 2 pages"): Plausible's one-page shape.
 * A pure function of its props; src/web/dashboard/routes.ts reads every number through the one
 * Stats API v2 function.
 */
export function WebDashboardPage(props: WebDashboardProps) {
  const { view, urls } = props;
  return (
    <Layout title={`Web analytics · ${props.product.name}`} header={props.header}>
      <DashboardScripts charts />
      <link rel="stylesheet" href="/static/web.css" />
      <div class="web-dashboard">
        <div class="web-head">
          <div>
            <p class="eyebrow">
              <a href={`/products/${props.product.id}`}>{props.product.name}</a>
            </p>
            <h1 class="web-title">Web analytics</h1>
          </div>
          <Realtime count={props.realtime} url={urls.realtime} />
          <WebRangePicker base={urls.base} view={view} periods={props.periods} />
        </div>
        {view.filters.length ? (
          <ul class="web-filters" aria-label="Filters" data-testid="web-filters">
            {view.filters.map((f) => (
              <li class="chip">
                <span>
                  {FILTER_LABELS[f.key]} is <strong>{f.value}</strong>
                </span>
                <a class="chip-remove" href={viewUrl(urls.base, view, withoutFilter(f.key))} aria-label={`Remove filter: ${FILTER_LABELS[f.key]} is ${f.value}`} data-dimension={FILTER_DIMENSIONS[f.key]}>
                  ×
                </a>
              </li>
            ))}
            {view.filters.length > 1 ? (
              <li>
                <a class="btn btn-small btn-ghost" href={viewUrl(urls.base, view, (v) => ({ ...v, filters: [] }))}>
                  Clear all
                </a>
              </li>
            ) : null}
          </ul>
        ) : null}
        {props.empty ? (
          <p class="notice notice-warn" data-testid="web-empty">
            No visits counted {props.periods.label}{view.filters.length ? " with these filters" : ""}. Add the script to your site: <a href={urls.install}>install instructions and a test visit</a>.
          </p>
        ) : null}
        <WebPanel {...props.panel} />
        <div class="web-cards">
          {props.cards.map((card) => (
            <BreakdownCard {...card} />
          ))}
        </div>
        {props.revenue ? (
          <div class="web-cards web-revenue" aria-label="Subscriptions and lifetime value">
            <MrrCard {...props.revenue.mrr} />
            <LtvCard {...props.revenue.ltv} />
          </div>
        ) : null}
        <footer class="web-foot muted small">
          <span>
            Times in the product's zone. Counts are exact. No cookies; no IP address is stored.{" "}
          </span>
          <a href={DBIP_URL} rel="noopener" target="_blank">
            IP geolocation by DB-IP
          </a>
          <span> · </span>
          <a href={urls.install}>Install the script</a>
        </footer>
      </div>
    </Layout>
  );
}

/** "N current visitors" (the last 5 minutes), its own partial, reloaded every 10 s by htmx. Not a live region: a screen reader would read it out every 10 s. */
export function Realtime(props: { count: number; url: string }) {
  return (
    <p id="web-realtime" class="web-realtime" hx-get={props.url} hx-trigger="every 10s" hx-swap="outerHTML" data-testid="web-realtime">
      <span class={props.count > 0 ? "live-dot is-live" : "live-dot"} aria-hidden="true"></span>
      <strong>{props.count}</strong> current visitor{props.count === 1 ? "" : "s"}
    </p>
  );
}
