/** @jsxImportSource hono/jsx */
import type { AttemptView } from "../../../src/delivery/log";
import { answerOf, DeliveryAttempts, DeliveryStatus } from "../../components/delivery-attempts";

/**
 * A webhook endpoint's delivery log: each message (event type, status, attempts, the last
 * answer's code and time taken), its attempts and its body on opening, and a redeliver button
 * that sends it again now with the same webhook-id.
 */
export type DeliveryView = { id: string; eventType: string; status: string; attempts: number; statusCode: number | null; error: string | null; createdAt: string; nextAttemptAt: string | null; durationMs: number | null; body: string; log: AttemptView[] };

export function DeliveryLog(props: { url: string; backUrl: string; deliveries: DeliveryView[]; canEdit: boolean; redeliver: (id: string) => string; notice?: { tone: "ok" | "bad"; message: string } }) {
  return (
    <section class="settings-section stack delivery-log webhook-actions" aria-labelledby="delivery-log-title" data-testid="delivery-log">
      <div>
        <p class="small">
          <a href={props.backUrl}>← Webhooks</a>
        </p>
        <h2 id="delivery-log-title">Delivery log</h2>
        <p class="muted mono">{props.url}</p>
      </div>
      {props.notice ? (
        <p class={props.notice.tone === "ok" ? "notice notice-ok" : "notice notice-bad"} role="status" data-testid="delivery-notice">
          {props.notice.message}
        </p>
      ) : null}
      {props.deliveries.length === 0 ? (
        <p class="muted">Nothing sent yet. Use “Send example” to try the endpoint.</p>
      ) : (
        <div class="card table-wrap">
          <table class="table" data-testid="deliveries">
            <thead>
              <tr>
                <th>Created (UTC)</th>
                <th>Event</th>
                <th>Status</th>
                <th class="num">Attempts</th>
                <th>Answer</th>
                <th class="num">Time</th>
                <th>
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.deliveries.map((d) => (
                <tr data-testid="delivery" data-delivery-id={d.id}>
                  <td>
                    <details>
                      <summary>{d.createdAt}</summary>
                      <p class="small mono">webhook-id {d.id}</p>
                      <pre class="small">{d.body}</pre>
                      <DeliveryAttempts log={d.log} />
                    </details>
                  </td>
                  <td class="mono">{d.eventType}</td>
                  <td>
                    <DeliveryStatus status={d.status} nextAttemptAt={d.nextAttemptAt} />
                  </td>
                  <td class="num">{d.attempts}</td>
                  <td class="muted">{answerOf(d)}</td>
                  <td class="num">{d.durationMs === null ? "" : `${d.durationMs} ms`}</td>
                  <td>
                    {props.canEdit && (d.status === "sent" || d.status === "failed") ? (
                      <form method="post" action={props.redeliver(d.id)} class="inline-form">
                        <button class="btn btn-small" type="submit" data-testid="redeliver">
                          Redeliver
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
