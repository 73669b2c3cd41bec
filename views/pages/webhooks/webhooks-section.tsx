/** @jsxImportSource hono/jsx */
import type { FormErrors } from "../../../src/http/forms";
import type { EventTypeInfo } from "../../../src/webhooks/event-types";

/**
 * Settings → Webhooks: the product's endpoints (URL, event types, masked secret, on/off and why
 * the server switched one off), a form to add one, and per endpoint: rotate the secret, send an
 * example, open its delivery log. A new or rotated secret is shown once, in the answer page.
 */
export type EndpointView = { id: string; url: string; description: string; eventTypes: string[]; enabled: boolean; disabledReason: string | null; secret: string; logUrl: string };
export type WebhooksNotice = { tone: "ok" | "bad"; message: string; secret?: string; endpointId?: string };

export function WebhooksSection(props: { endpoints: EndpointView[]; types: EventTypeInfo[]; canEdit: boolean; action: (what: string) => string; errors?: FormErrors; values?: { url?: string; types?: string[]; description?: string }; notice?: WebhooksNotice }) {
  const chosen = new Set(props.values?.types ?? []);
  const errors = props.errors ?? {};
  const label = (t: string) => props.types.find((x) => x.type === t)?.label ?? t;
  return (
    <section class="settings-section stack" aria-labelledby="webhooks-title" data-testid="webhooks-settings">
      <div>
        <h2 id="webhooks-title">Webhooks</h2>
        <p class="muted">
          LiteKPI POSTs JSON to your URL when a goal is completed, a purchase is stored, a new visitor arrives or an alert fires. Every message is signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature); verify it with your secret and drop a repeated webhook-id. Failed deliveries are retried for about 10 hours.
        </p>
      </div>
      {props.notice && !props.notice.endpointId ? <Notice notice={props.notice} /> : null}
      {props.endpoints.length === 0 ? <p class="muted">No webhooks yet.</p> : null}
      {props.endpoints.map((e) => (
        <article class="card stack" id={`webhook-${e.id}`} data-testid="webhook">
          <div class="card-head">
            <h3 class="mono">{e.url}</h3>
            {e.enabled ? <span class="badge badge-up">Enabled</span> : <span class="badge badge-warn">Disabled</span>}
          </div>
          {e.description ? <p>{e.description}</p> : null}
          {e.disabledReason ? (
            <p class="notice notice-warn" role="status" data-testid="webhook-disabled-reason">
              {e.disabledReason}
            </p>
          ) : null}
          <p class="small">
            Events: {e.eventTypes.map(label).join(", ")} · Secret <span class="mono">{e.secret}</span>
          </p>
          {props.notice?.endpointId === e.id ? <Notice notice={props.notice} /> : null}
          <div class="row webhook-actions">
            <a class="btn btn-small" href={e.logUrl}>
              Delivery log
            </a>
            {props.canEdit ? (
              <>
                <form method="post" action={props.action(`${e.id}/${e.enabled ? "disable" : "enable"}`)} class="inline-form">
                  <button class="btn btn-small" type="submit">
                    {e.enabled ? "Disable" : "Enable"}
                  </button>
                </form>
                <form method="post" action={props.action(`${e.id}/rotate`)} class="inline-form">
                  <button class="btn btn-small" type="submit">
                    Rotate secret
                  </button>
                </form>
                <form method="post" action={props.action(`${e.id}/test`)} class="inline-form">
                  <label class="visually-hidden" for={`webhook-test-${e.id}`}>
                    Example to send
                  </label>
                  <select id={`webhook-test-${e.id}`} name="event_type" class="input">
                    {e.eventTypes.map((t) => (
                      <option value={t}>{label(t)}</option>
                    ))}
                  </select>
                  <button class="btn btn-small" type="submit" data-testid="webhook-test">
                    Send example
                  </button>
                </form>
                <form method="post" action={props.action(`${e.id}/delete`)} class="inline-form">
                  <button class="btn btn-small btn-danger-quiet" type="submit">
                    Delete
                  </button>
                </form>
              </>
            ) : null}
          </div>
        </article>
      ))}
      {props.canEdit ? (
        <form method="post" action={props.action("")} class="card stack" data-testid="webhook-form">
          <h3>Add a webhook</h3>
          <div class="field">
            <label for="webhook-url">Endpoint URL</label>
            <input id="webhook-url" class="input" name="url" type="url" required placeholder="https://hooks.example.com/litekpi" value={props.values?.url ?? ""} aria-invalid={errors.url ? "true" : undefined} aria-describedby={errors.url ? "webhook-url-error" : undefined} />
            {errors.url ? (
              <p class="field-error" id="webhook-url-error">
                {errors.url}
              </p>
            ) : null}
          </div>
          <fieldset class="field">
            <legend>Events to send</legend>
            {props.types.map((t) => (
              <label class="check">
                <input type="checkbox" name="event_types" value={t.type} checked={chosen.has(t.type)} />
                <span>
                  {t.label} <span class="muted small mono">{t.type}</span>
                </span>
              </label>
            ))}
            {errors.event_types ? <p class="field-error">{errors.event_types}</p> : null}
          </fieldset>
          <div class="field">
            <label for="webhook-description">Description (optional)</label>
            <input id="webhook-description" class="input" name="description" maxlength={200} value={props.values?.description ?? ""} />
          </div>
          <button class="btn btn-primary" type="submit">
            Add webhook
          </button>
        </form>
      ) : null}
    </section>
  );
}

function Notice(props: { notice: WebhooksNotice }) {
  const n = props.notice;
  return (
    <div class={`notice ${n.secret ? "notice-secret" : n.tone === "ok" ? "notice-ok" : "notice-bad"}`} role="status" data-testid="webhook-notice">
      <p>{n.message}</p>
      {n.secret ? (
        <code class="secret" data-testid="webhook-secret">
          {n.secret}
        </code>
      ) : null}
    </div>
  );
}
