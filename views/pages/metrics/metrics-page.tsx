/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { Confirm, FieldError, Notice, type FieldErrors } from "../products/parts";
import { productUrl } from "../../../src/products/urls";

/**
 * The metric library (seed 002 §4.4): a product's saved metric definitions, each a named
 * `metrics/query`, with a form to add one and a way to delete it. The section (#metric-library)
 * is its own partial, so add and delete swap only it.
 */
export type LibraryEntry = { name: string; description: string; query: unknown; updatedAt: string };
export type MetricLibraryProps = {
  product: { id: string; name: string };
  definitions: LibraryEntry[];
  values?: { name: string; description: string; query: string };
  errors?: FieldErrors;
  notice?: string;
};

export function MetricsPage(props: MetricLibraryProps & { header?: Child }) {
  return (
    <Layout title={`Metrics · ${props.product.name}`} header={props.header}>
      <div class="page-head">
        <div>
          <p class="eyebrow">{props.product.name}</p>
          <h1>Saved metrics</h1>
        </div>
      </div>
      <MetricLibrary {...props} />
    </Layout>
  );
}

const EXAMPLE = JSON.stringify({ filter: { event: "signup" }, aggregation: "distinct", aggregationField: "user_id", groupBy: ["day"] }, null, 2);

export function MetricLibrary(props: MetricLibraryProps) {
  const base = productUrl(props.product.id, "metrics");
  const values = props.values ?? { name: "", description: "", query: EXAMPLE };
  const errors = props.errors ?? {};
  return (
    <section id="metric-library" class="settings-stack">
      <div class="card settings-section">
        <h2>Library</h2>
        <p class="muted">
          A saved metric is a <code>POST /api/v1/metrics/query</code> under a name. Ask for it with <code>{'{"metric": "<name>"}'}</code> or{" "}
          <code>GET /api/v1/metrics/&lt;name&gt;</code>, and chart it in any widget as <code>saved:&lt;name&gt;</code>.
        </p>
        <Notice message={props.notice} />
        {props.definitions.length === 0 ? (
          <p class="empty-line" data-testid="no-metrics">No saved metrics yet.</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="metrics-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Query</th>
                  <th scope="col" class="actions-col"><span class="visually-hidden">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                {props.definitions.map((d) => (
                  <tr data-metric={d.name}>
                    <td><code>{d.name}</code></td>
                    <td data-label="Description">{d.description}</td>
                    <td data-label="Query"><code class="query-json">{JSON.stringify(d.query)}</code></td>
                    <td class="actions-cell">
                      <Confirm
                        label="Delete"
                        question={<>Delete “{d.name}”? Widgets that chart it show an error until they are changed.</>}
                        confirmLabel="Delete metric"
                        action={`${base}/${encodeURIComponent(d.name)}/delete`}
                        target="#metric-library"
                        danger
                        testId="delete-metric"
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <form method="post" action={base} hx-post={base} hx-target="#metric-library" hx-swap="outerHTML" class="card settings-section" novalidate>
        <h2>Add a metric</h2>
        <div class="field">
          <label for="metric-name">Name</label>
          <input id="metric-name" class="input" name="name" value={values.name} maxlength={200} placeholder="active_users" aria-invalid={errors.name ? "true" : undefined} />
          <FieldError id="metric-name" message={errors.name} />
        </div>
        <div class="field">
          <label for="metric-description">Description</label>
          <input id="metric-description" class="input" name="description" value={values.description} maxlength={500} aria-invalid={errors.description ? "true" : undefined} />
          <FieldError id="metric-description" message={errors.description} />
        </div>
        <div class="field">
          <label for="metric-query">Query (JSON: filter, groupBy, aggregation, aggregationField, orderBy, limit, timezone)</label>
          <textarea id="metric-query" class="input code-input" name="query" rows={8} aria-invalid={errors.query ? "true" : undefined}>
            {values.query}
          </textarea>
          <FieldError id="metric-query" message={errors.query} />
        </div>
        <button type="submit" class="btn btn-primary">Save metric</button>
      </form>
    </section>
  );
}
