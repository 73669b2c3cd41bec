/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { FieldError } from "../products/parts";
import { formatDate } from "../products/format";
import { DashboardScripts } from "./scripts";
import { productUrl } from "../../../src/products/urls";

/**
 * The product's home: the onboarding panel until the first point arrives, then its dashboards.
 * The list is its own partial (#dashboard-list) so create and reorder swap only it.
 */
export type ListedDashboard = { id: string; name: string; widgets: number; updatedAt: number };

export function ProductHomePage(props: {
  header?: Child;
  product: { id: string; name: string; timezone: string };
  onboarding: Child | null;
  list: Child | null;
}) {
  return (
    <Layout title={props.product.name} header={props.header}>
      <DashboardScripts />
      <div class="product-home">
        <div class="page-head">
          <div>
            <p class="eyebrow">{props.product.timezone.replaceAll("_", " ")}</p>
            <h1>{props.product.name}</h1>
          </div>
        </div>
        {props.onboarding}
        {props.list}
      </div>
    </Layout>
  );
}

export function DashboardList(props: { productId: string; dashboards: ListedDashboard[]; timezone: string; hasData: boolean; error?: string; name?: string }) {
  const base = productUrl(props.productId, "dashboards");
  return (
    <section id="dashboard-list" class="dashboard-list" aria-labelledby="dashboards-title">
      <div class="section-head">
        <h2 id="dashboards-title">Dashboards</h2>
      </div>
      {props.dashboards.length === 0 ? (
        <p class="muted" data-testid="no-dashboards">
          {props.hasData ? "No dashboards yet. Name one and add a chart of your data." : "No dashboards yet. You can make one now, or after your first point arrives."}
        </p>
      ) : (
        <ol class="dashboard-cards" data-testid="dashboard-list">
          {props.dashboards.map((d, i) => (
            <li class="card dashboard-card">
              <a class="dashboard-card-link" href={`${base}/${d.id}`}>
                <span class="dashboard-card-name">{d.name}</span>
                <span class="muted">
                  {d.widgets} widget{d.widgets === 1 ? "" : "s"} · updated {formatDate(d.updatedAt, props.timezone)}
                </span>
              </a>
              <div class="reorder-buttons" hidden={props.dashboards.length < 2}>
                <form method="post" action={`${base}/${d.id}/move`} hx-post={`${base}/${d.id}/move`} hx-target="#dashboard-list" hx-swap="outerHTML">
                  <input type="hidden" name="step" value="-1" />
                  <button type="submit" class="icon-btn" disabled={i === 0} aria-label={`Move ${d.name} up`} title="Move up">
                    <span aria-hidden="true">↑</span>
                  </button>
                </form>
                <form method="post" action={`${base}/${d.id}/move`} hx-post={`${base}/${d.id}/move`} hx-target="#dashboard-list" hx-swap="outerHTML">
                  <input type="hidden" name="step" value="1" />
                  <button type="submit" class="icon-btn" disabled={i === props.dashboards.length - 1} aria-label={`Move ${d.name} down`} title="Move down">
                    <span aria-hidden="true">↓</span>
                  </button>
                </form>
              </div>
            </li>
          ))}
        </ol>
      )}
      <form class="create-dashboard" method="post" action={base} novalidate>
        <label for="new-dashboard-name">New dashboard</label>
        <div class="inline-fields">
          <input
            id="new-dashboard-name"
            class="input"
            name="name"
            value={props.name ?? ""}
            maxlength={100}
            placeholder="e.g. Growth"
            required
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={props.error ? "new-dashboard-name-error" : undefined}
          />
          <button type="submit" class="btn btn-primary" data-testid="create-dashboard">
            Create dashboard
          </button>
        </div>
        <FieldError id="new-dashboard-name" message={props.error} />
      </form>
    </section>
  );
}
