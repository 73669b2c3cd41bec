/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { productUrl } from "../../../src/products/urls";

/**
 * A product's alert rules: name, what it watches, its state (firing since…, ok, muted, snoozed),
 * its channels. The empty state says what an alert is and how to make one (also from any widget).
 */
export type ListedRule = { id: string; name: string; watches: string; condition: string; state: "firing" | "ok"; since: string | null; muted: boolean; snoozedUntil: string | null; channels: string[]; lastError: string | null };

export function StateBadge(props: { state: "firing" | "ok"; muted: boolean; snoozedUntil: string | null }) {
  return (
    <span class="row">
      {props.state === "firing" ? <span class="badge badge-down">Firing</span> : <span class="badge badge-up">OK</span>}
      {props.muted ? <span class="badge">Muted</span> : null}
      {!props.muted && props.snoozedUntil ? <span class="badge badge-warn">Snoozed until {props.snoozedUntil}</span> : null}
    </span>
  );
}

export function AlertsPage(props: { header?: Child; product: { id: string; name: string }; rules: ListedRule[] }) {
  const base = productUrl(props.product.id, "alerts");
  return (
    <Layout title={`Alerts · ${props.product.name}`} header={props.header}>
      <div class="alerts-page">
        <header class="page-title reports-head">
          <div>
            <p class="eyebrow">
              <a href={productUrl(props.product.id)}>{props.product.name}</a>
            </p>
            <h1>Alerts</h1>
          </div>
          <a class="btn btn-primary" href={`${base}/new`} data-testid="new-alert">
            + New alert
          </a>
        </header>
        {props.rules.length === 0 ? (
          <div class="empty-state" data-testid="alerts-empty">
            <h2>No alerts yet</h2>
            <p>
              Get an email, a Slack message, a signed webhook or a bell notification when a metric crosses a threshold, spikes against its usual level, or stock
              will run out. Make one here, or from any widget's menu with “Alert on this”.
            </p>
            <a class="btn btn-primary" href={`${base}/new`}>
              Create the first alert
            </a>
          </div>
        ) : (
          <div class="card table-wrap">
            <table class="table" data-testid="alerts-table">
              <thead>
                <tr>
                  <th>Alert</th>
                  <th>Watches</th>
                  <th>State</th>
                  <th>Notifies</th>
                </tr>
              </thead>
              <tbody>
                {props.rules.map((r) => (
                  <tr>
                    <td>
                      <a href={`${base}/${r.id}`}>{r.name}</a>
                      {r.lastError ? <p class="field-error">{r.lastError}</p> : null}
                    </td>
                    <td class="muted">
                      {r.watches} {r.condition}
                    </td>
                    <td>
                      <StateBadge state={r.state} muted={r.muted} snoozedUntil={r.snoozedUntil} />
                      {r.since ? <span class="muted small"> since {r.since}</span> : null}
                    </td>
                    <td class="muted">{r.channels.join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Layout>
  );
}
