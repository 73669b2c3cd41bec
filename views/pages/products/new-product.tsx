/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { CopyField, FieldError, TimeZoneSelect, type FieldErrors } from "./parts";
import { productUrl } from "../../../src/products/urls";
import { SnippetTabs } from "../../components/ingest-snippets";

/** /products/new: name and time zone. `detect` lets the browser preselect its own zone (first visit only). */
export function NewProductPage(props: { header?: Child; values: { name: string; timezone: string }; errors?: FieldErrors; detect: boolean; first: boolean }) {
  const errors = props.errors ?? {};
  return (
    <Layout title="New product" header={props.header}>
      <section class="page-narrow">
        <h1>{props.first ? "Create your first product" : "New product"}</h1>
        <p class="muted lead">
          A product is one app or website you track. It gets its own API key, dashboards and team.
        </p>
        <form method="post" action="/products" class="card form-card" novalidate>
          <div class="field">
            <label for="product-name">Name</label>
            <input
              id="product-name"
              class="input"
              name="name"
              value={props.values.name}
              maxlength={100}
              required
              autofocus
              placeholder="e.g. Acme web app"
              aria-invalid={errors.name ? "true" : undefined}
              aria-describedby={errors.name ? "product-name-error" : undefined}
            />
            <FieldError id="product-name" message={errors.name} />
          </div>
          <div class="field">
            <label for="product-timezone">Time zone</label>
            <TimeZoneSelect id="product-timezone" value={props.values.timezone} detect={props.detect} invalid={!!errors.timezone} />
            <p class="hint">Days, weeks and months on your dashboards start at midnight in this zone.</p>
            <FieldError id="product-timezone" message={errors.timezone} />
          </div>
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              Create product
            </button>
            {props.first ? null : (
              <a class="btn btn-quiet" href="/products">
                Cancel
              </a>
            )}
          </div>
        </form>
      </section>
    </Layout>
  );
}

/** Shown once, right after creation: the only time the full ingest key is visible. */
export function KeyCreatedPage(props: { header?: Child; productId: string; productName: string; secret: string; endpoint: string }) {
  return (
    <Layout title={`${props.productName} created`} header={props.header}>
      <section class="page-narrow">
        <p class="eyebrow">Product created</p>
        <h1>{props.productName} is ready</h1>
        <div class="card reveal-card">
          <h2>Your ingest API key</h2>
          <p class="warning-line">
            <strong>Copy it now.</strong> It is shown only this once; afterwards you will see it masked. If you lose it, regenerate it in settings.
          </p>
          <CopyField value={props.secret} label="API key" testId="new-key" />
          <h2>Send your first data point</h2>
          <p class="muted">Run one of these (the key is already in them); the point appears on your product's page.</p>
          <SnippetTabs endpoint={props.endpoint} secret={props.secret} />
        </div>
        <div class="form-actions">
          <a class="btn btn-primary" href={productUrl(props.productId)}>
            Continue
          </a>
          <a class="btn btn-quiet" href={productUrl(props.productId, "settings", "keys")}>
            Manage keys
          </a>
        </div>
      </section>
    </Layout>
  );
}

/** The ready curl line for a key (curl -d sends form-urlencoded; ingestion reads it as JSON). */
export function curlLine(baseUrl: string, secret: string): string {
  return `curl -H "Authorization: Bearer ${secret}" -d '{"metric":"signups","value":1}' ${baseUrl}/api/v1/points`;
}
