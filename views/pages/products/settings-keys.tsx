/** @jsxImportSource hono/jsx */
import { Confirm, CopyField, FieldError, Notice, type FieldErrors } from "./parts";
import { formatDate, timeAgo } from "./format";
import { productUrl } from "../../../src/products/urls";

type Key = { id: string; name: string; scope: string; prefix: string; last4: string; createdAt: number; lastUsedAt: number | null };

export type KeysSectionProps = {
  product: { id: string; name: string; timezone: string };
  keys: Key[];
  canManage: boolean;
  now: number;
  /** A key just created or regenerated: its only appearance in full. */
  revealed?: { secret: string; name: string; scope: string; regenerated: boolean; curl: string };
  values?: { name: string; scope: string };
  errors?: FieldErrors;
  notice?: string;
};

const SCOPE_HINT: Record<string, string> = { ingest: "sends points and events", read: "queries and exports", manage: "reads, and erases people's data" };

/** The API keys tab (#keys): masked list, reveal-once panel, create form. htmx swaps it whole. */
export function KeysSection(props: KeysSectionProps) {
  const base = productUrl(props.product.id, "settings", "keys");
  const values = props.values ?? { name: "", scope: "ingest" };
  const errors = props.errors ?? {};
  return (
    <section id="keys" class="settings-stack">
      {props.revealed ? <Revealed {...props.revealed} /> : null}
      <div class="card settings-section">
        <h2>API keys</h2>
        <p class="muted">
          <strong>ingest</strong> keys send data (<code>POST /api/v1/points</code>); <strong>read</strong> keys query and export it. Keys are
          shown once when created; here you see only their first and last characters.
        </p>
        <Notice message={props.notice} />
        {props.keys.length === 0 ? (
          <p class="empty-line">No active keys. Nothing can send data to this product until you create an ingest key.</p>
        ) : (
          <div class="table-wrap">
            <table class="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  {props.canManage ? <th scope="col" class="actions-col"><span class="visually-hidden">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {props.keys.map((key) => (
                  <tr data-key-id={key.id}>
                    <td>{key.name}</td>
                    <td data-label="Key">
                      <code class="masked-key">{`${key.prefix}…${key.last4}`}</code>
                    </td>
                    <td data-label="Scope">
                      <span class={`badge badge-${key.scope}`} title={SCOPE_HINT[key.scope]}>
                        {key.scope}
                      </span>
                    </td>
                    <td data-label="Created">{formatDate(key.createdAt, props.product.timezone)}</td>
                    <td data-label="Last used" class="muted">
                      {timeAgo(key.lastUsedAt, props.now)}
                    </td>
                    {props.canManage ? (
                      <td class="actions-cell">
                        <div class="row-actions">
                          <Confirm
                            label="Regenerate"
                            question={<>Regenerate “{key.name}”? A new key replaces it and the current one stops working immediately.</>}
                            confirmLabel="Regenerate key"
                            action={`${base}/${key.id}/regenerate`}
                            target="#keys"
                            testId="regenerate"
                          />
                          <Confirm
                            label="Revoke"
                            question={<>Revoke “{key.name}”? Anything using it gets 401 from now on.</>}
                            confirmLabel="Revoke key"
                            action={`${base}/${key.id}/revoke`}
                            target="#keys"
                            danger
                            testId="revoke"
                          />
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {props.canManage ? (
          <form method="post" action={base} hx-post={base} hx-target="#keys" hx-swap="outerHTML" class="inline-form" novalidate>
            <div class="field">
              <label for="key-name">New key name</label>
              <input
                id="key-name"
                class="input"
                name="name"
                value={values.name}
                maxlength={100}
                placeholder="e.g. Backend, Grafana"
                aria-invalid={errors.name ? "true" : undefined}
                aria-describedby={errors.name ? "key-name-error" : undefined}
              />
              <FieldError id="key-name" message={errors.name} />
            </div>
            <div class="field">
              <label for="key-scope">Scope</label>
              <select id="key-scope" name="scope" class="input" aria-invalid={errors.scope ? "true" : undefined}>
                <option value="ingest" selected={values.scope === "ingest"}>
                  ingest — send data
                </option>
                <option value="read" selected={values.scope === "read"}>
                  read — query and export
                </option>
                <option value="manage" selected={values.scope === "manage"}>
                  manage — read, and erase people's data
                </option>
              </select>
              <FieldError id="key-scope" message={errors.scope} />
            </div>
            <button type="submit" class="btn btn-primary">
              Create key
            </button>
          </form>
        ) : (
          <p class="hint">Only the product's owner can create, regenerate or revoke keys.</p>
        )}
      </div>
    </section>
  );
}

function Revealed(props: NonNullable<KeysSectionProps["revealed"]>) {
  return (
    <div class="card reveal-card" role="status" data-testid="key-revealed">
      <h2>{props.regenerated ? `“${props.name}” was regenerated` : `“${props.name}” was created`}</h2>
      <p class="warning-line">
        <strong>Copy this {props.scope} key now.</strong> It will not be shown again.
        {props.regenerated ? " The old key has stopped working." : ""}
      </p>
      <CopyField value={props.secret} label="API key" testId="new-key" />
      {props.scope === "ingest" ? (
        <>
          <p class="muted">Try it:</p>
          <CopyField value={props.curl} label="curl command" testId="curl-line" multiline />
        </>
      ) : null}
    </div>
  );
}
