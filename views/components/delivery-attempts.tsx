/** @jsxImportSource hono/jsx */
import type { AttemptView } from "../../src/delivery/log";

/**
 * THE delivery log's attempts as a page shows them (a webhook endpoint's log, an alert rule's
 * page): each attempt's time, outcome, HTTP status, time taken, error, and the start of the
 * receiver's answer. Rows come from src/delivery/log.ts `attemptView` (errors already masked).
 */
export const DELIVERY_STATUS_BADGE: Record<string, string> = { sent: "badge badge-up", failed: "badge badge-down", retrying: "badge badge-warn", pending: "badge", digest: "badge", muted: "badge" };

export function DeliveryAttempts(props: { log: AttemptView[] }) {
  if (!props.log.length) return <p class="small muted">No attempt yet.</p>;
  return (
    <ol class="small delivery-attempts" data-testid="attempts">
      {props.log.map((a) => (
        <li data-testid="attempt" data-ok={a.ok ? "true" : "false"}>
          #{a.attempt} {a.at}: {a.ok ? "delivered" : "failed"}
          {a.statusCode ? ` · HTTP ${a.statusCode}` : ""} · {a.durationMs} ms{a.error ? ` · ${a.error}` : ""}
          {a.response ? <pre class="small">{a.response}</pre> : null}
        </li>
      ))}
    </ol>
  );
}

/** A delivery's status badge, with when the next attempt is due while it is retrying. */
export function DeliveryStatus(props: { status: string; nextAttemptAt: string | null }) {
  return (
    <>
      <span class={DELIVERY_STATUS_BADGE[props.status] ?? "badge"}>{props.status}</span>
      {props.nextAttemptAt ? <span class="small muted"> next {props.nextAttemptAt}</span> : null}
    </>
  );
}

/** The short answer of a delivery in a table cell: the last HTTP status, else the error. */
export const answerOf = (d: { statusCode: number | null; error: string | null }) => (d.statusCode ? `HTTP ${d.statusCode}` : (d.error ?? ""));
