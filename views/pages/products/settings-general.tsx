/** @jsxImportSource hono/jsx */
import { DocumentTitle } from "../../layout";
import { FieldError, Notice, TimeZoneSelect, type FieldErrors } from "./parts";
import { productUrl } from "../../../src/products/urls";
import { settingsTitle } from "./settings-shell";

type Product = { id: string; name: string; timezone: string };

/**
 * Name and time zone. Owners edit; members see the values. Swapped whole by htmx (#general);
 * after a save (`saved`) the answer also carries the tab title with the new name.
 */
export function GeneralSection(props: { product: Product; canEdit: boolean; values?: { name: string; timezone: string }; errors?: FieldErrors; notice?: string; saved?: boolean }) {
  const values = props.values ?? props.product;
  const errors = props.errors ?? {};
  const action = productUrl(props.product.id, "settings");
  return (
    <>
      {props.saved ? <DocumentTitle title={settingsTitle("general", props.product.name)} /> : null}
      <section id="general" class="card settings-section">
        <h2>Product</h2>
        <Notice message={props.notice} />
        <form method="post" action={action} hx-post={action} hx-target="#general" hx-swap="outerHTML" novalidate>
          <div class="field">
            <label for="settings-name">Name</label>
            <input
              id="settings-name"
              class="input"
              name="name"
              value={values.name}
              maxlength={100}
              required
              readonly={!props.canEdit}
              aria-invalid={errors.name ? "true" : undefined}
              aria-describedby={errors.name ? "settings-name-error" : undefined}
            />
            <FieldError id="settings-name" message={errors.name} />
          </div>
          <div class="field">
            <label for="settings-timezone">Time zone</label>
            <TimeZoneSelect id="settings-timezone" value={values.timezone} disabled={!props.canEdit} invalid={!!errors.timezone} />
            <p class="hint">Dashboards and reports count days from midnight in this zone.</p>
            <FieldError id="settings-timezone" message={errors.timezone} />
          </div>
          {props.canEdit ? (
            <div class="form-actions">
              <button type="submit" class="btn btn-primary">
                Save changes
              </button>
            </div>
          ) : (
            <p class="hint">Only the product's owner can change these.</p>
          )}
        </form>
      </section>
    </>
  );
}

/** Delete the product: the button stays disabled until its name is typed (the server checks too). */
export function DangerZone(props: { product: Product; error?: string }) {
  const action = productUrl(props.product.id, "delete");
  return (
    <section id="danger-zone" class="card settings-section danger-zone">
      <h2>Danger zone</h2>
      <p>
        Deleting <strong>{props.product.name}</strong> removes its API keys, dashboards, reports, team and every data point and event, for
        everyone. This cannot be undone.
      </p>
      <form method="post" action={action} hx-post={action} hx-target="#danger-zone" hx-swap="outerHTML" x-data="typeToConfirm" data-expected={props.product.name} novalidate>
        <div class="field">
          <label for="delete-confirm">
            Type <strong>{props.product.name}</strong> to confirm
          </label>
          <input
            id="delete-confirm"
            class="input"
            name="confirm"
            autocomplete="off"
            x-model="typed"
            aria-invalid={props.error ? "true" : undefined}
            aria-describedby={props.error ? "delete-confirm-error" : undefined}
          />
          <FieldError id="delete-confirm" message={props.error} />
        </div>
        <button type="submit" class="btn btn-danger" x-bind:disabled="blocked">
          Delete this product
        </button>
      </form>
    </section>
  );
}
