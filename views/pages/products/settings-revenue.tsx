/** @jsxImportSource hono/jsx */
import type { Integration } from "../../../src/revenue/integrations";
import type { FormErrors } from "../../../src/http/forms";

/**
 * Settings → Revenue: per provider, the URL to paste into its dashboard, the signing secret
 * (saved sealed, shown as its last 4 characters), when a delivery last arrived, and a test that
 * runs a signed sample through the same checks. How to pass the visitor id to checkout sits
 * beside each provider, since attribution depends on it.
 */
export type RevenueProviderView = { key: string; label: string; secretHint: string; url: string; integration: Integration | null; howTo: string };
export type RevenueNotice = { provider: string; tone: "ok" | "bad"; message: string };

export function RevenueSection(props: { providers: RevenueProviderView[]; canEdit: boolean; errors?: { provider: string; errors: FormErrors }; notice?: RevenueNotice; action: (provider: string, what?: string) => string }) {
  return (
    <section class="settings-section stack" aria-labelledby="revenue-title" data-testid="revenue-settings">
      <div>
        <h2 id="revenue-title">Revenue</h2>
        <p class="muted">Connect a payment provider to see revenue, purchases and revenue per visitor by source on the web dashboard. Amounts stay in their own currency; nothing is converted.</p>
      </div>
      {props.providers.map((p) => {
        const errors = props.errors?.provider === p.key ? props.errors.errors : {};
        const notice = props.notice?.provider === p.key ? props.notice : null;
        return (
          <article class="card stack" id={`revenue-${p.key}`} data-testid={`revenue-${p.key}`}>
            <div class="card-head">
              <h3>{p.label}</h3>
              {p.integration ? <span class="badge badge-accent">Connected · secret …{p.integration.secretLast4}</span> : <span class="badge">Not connected</span>}
            </div>
            <div class="field">
              <label for={`revenue-url-${p.key}`}>Webhook URL</label>
              <input id={`revenue-url-${p.key}`} class="input" readonly value={p.url} aria-describedby={`revenue-url-${p.key}-hint`} />
              <p class="hint" id={`revenue-url-${p.key}-hint`}>
                Paste it into {p.label}; the secret is under {p.secretHint}.
                {p.integration?.lastReceivedAt ? ` Last delivery ${new Date(p.integration.lastReceivedAt).toISOString().replace("T", " ").slice(0, 16)} UTC.` : p.integration ? " No delivery yet." : ""}
              </p>
            </div>
            {props.canEdit ? (
              <form method="post" action={props.action(p.key)} class="inline-fields">
                <div class="field">
                  <label for={`revenue-secret-${p.key}`}>{p.integration ? "Replace the signing secret" : "Signing secret"}</label>
                  <input
                    id={`revenue-secret-${p.key}`}
                    class="input"
                    name="secret"
                    type="password"
                    autocomplete="off"
                    required
                    aria-invalid={errors.secret ? "true" : undefined}
                    aria-describedby={errors.secret ? `revenue-secret-${p.key}-error` : undefined}
                  />
                  {errors.secret ? (
                    <p class="field-error" id={`revenue-secret-${p.key}-error`}>
                      {errors.secret}
                    </p>
                  ) : null}
                </div>
                <button class="btn btn-primary" type="submit">
                  Save
                </button>
              </form>
            ) : null}
            {p.integration && props.canEdit ? (
              <div class="row">
                <form method="post" action={props.action(p.key, "test")} class="inline-form">
                  <button class="btn btn-small" type="submit" data-testid={`revenue-test-${p.key}`}>
                    Send test event
                  </button>
                </form>
                <form method="post" action={props.action(p.key, "delete")} class="inline-form">
                  <button class="btn btn-small btn-danger-quiet" type="submit">
                    Disconnect
                  </button>
                </form>
              </div>
            ) : null}
            {notice ? (
              <p class={notice.tone === "ok" ? "notice notice-ok" : "notice notice-bad"} role="status" data-testid={`revenue-notice-${p.key}`}>
                {notice.message}
              </p>
            ) : null}
            <details>
              <summary>Attribute purchases to visits</summary>
              <p class="small">{p.howTo}</p>
            </details>
          </article>
        );
      })}
    </section>
  );
}
