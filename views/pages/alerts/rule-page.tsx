/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";
import { productUrl } from "../../../src/products/urls";
import type { Backtest } from "../../../src/alerts/backtest";
import { formatValue } from "../../../src/alerts/payload";
import { BacktestChart } from "./backtest-chart";
import { StateBadge, type ListedRule } from "./alerts-page";
import type { AttemptView } from "../../../src/delivery/log";
import { answerOf, DeliveryAttempts, DeliveryStatus } from "../../components/delivery-attempts";

/**
 * One rule: state and actions (edit, mute/unmute, snooze, delete), the last 30 days as the
 * evaluator sees them, the episode history (acknowledge an open one) and the delivery log (every
 * attempt on every channel, with its HTTP status, error and answer, from THE delivery log).
 * `?at=` (the link in a notification) marks that moment.
 */
export type EpisodeView = { id: string; status: string; startedAt: string; resolvedAt: string | null; startValue: number | null; threshold: number | null; highlighted: boolean };
export type DeliveryView = {
  id: string;
  at: string;
  channel: string;
  /** Where it went: addresses, or the URL masked. */
  target: string;
  kind: string;
  status: string;
  attempts: number;
  error: string | null;
  code: number | null;
  nextAttemptAt: string | null;
  log: AttemptView[];
};

export function RulePage(props: {
  header?: Child;
  product: { id: string; name: string };
  rule: ListedRule & { window: string };
  backtest: Backtest | { error: string };
  highlight?: string;
  episodes: EpisodeView[];
  deliveries: DeliveryView[];
  secret?: string;
  notice?: string;
}) {
  const base = productUrl(props.product.id, "alerts", props.rule.id);
  const r = props.rule;
  return (
    <Layout title={`${r.name} · Alerts`} header={props.header}>
      <div class="alerts-page stack">
        <header class="page-title reports-head">
          <div>
            <p class="eyebrow">
              <a href={productUrl(props.product.id)}>{props.product.name}</a> <span aria-hidden="true">/</span> <a href={productUrl(props.product.id, "alerts")}>Alerts</a>
            </p>
            <h1>{r.name}</h1>
            <p class="muted">
              {r.watches} over {r.window} {r.condition} · notifies {r.channels.join(", ")}
            </p>
            <StateBadge state={r.state} muted={r.muted} snoozedUntil={r.snoozedUntil} />
          </div>
          <div class="row">
            <a class="btn" href={`${base}/edit`}>
              Edit
            </a>
            <form method="post" action={`${base}/${r.muted ? "unmute" : "mute"}`}>
              <button class="btn" type="submit">
                {r.muted ? "Unmute" : "Mute"}
              </button>
            </form>
            <form method="post" action={`${base}/snooze`} class="row">
              <select class="input" name="for" aria-label="Snooze for">
                <option value="1h">1 hour</option>
                <option value="1d">1 day</option>
                <option value="7d">1 week</option>
                <option value="">Not snoozed</option>
              </select>
              <button class="btn" type="submit">
                Snooze
              </button>
            </form>
            <form method="post" action={`${base}/delete`}>
              <button class="btn btn-ghost" type="submit">
                Delete
              </button>
            </form>
          </div>
        </header>
        {props.notice ? <p class="notice" role="status">{props.notice}</p> : null}
        {props.secret ? (
          <div class="card notice-secret" data-testid="webhook-secret">
            <h2 class="h3">Webhook signing secret</h2>
            <p>Shown once. Verify each request's Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature) with it.</p>
            <code class="secret">{props.secret}</code>
          </div>
        ) : null}
        <section class="card">
          <h2 class="h3">Last 30 days</h2>
          {"error" in props.backtest ? <p class="muted">{props.backtest.error}</p> : <BacktestChart backtest={props.backtest} highlight={props.highlight} />}
        </section>
        <section class="card">
          <h2 class="h3">Episodes</h2>
          {props.episodes.length === 0 ? (
            <p class="muted">It has not fired since it was made.</p>
          ) : (
            <table class="table" data-testid="episodes">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Resolved</th>
                  <th class="num">Value</th>
                  <th class="num">Threshold</th>
                  <th>Status</th>
                </tr>
              </thead>
              <tbody>
                {props.episodes.map((e) => (
                  <tr id={`episode-${e.id}`} class={e.highlighted ? "is-highlighted" : undefined}>
                    <td>{e.startedAt}</td>
                    <td>{e.resolvedAt ?? "—"}</td>
                    <td class="num">{formatValue(e.startValue)}</td>
                    <td class="num">{formatValue(e.threshold)}</td>
                    <td>
                      {e.status}
                      {e.status === "active" ? (
                        <form method="post" action={`${base}/episodes/${e.id}/acknowledge`} class="inline-form">
                          <button class="btn btn-small" type="submit">
                            Acknowledge
                          </button>
                        </form>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section class="card">
          <h2 class="h3">Delivery log</h2>
          {props.deliveries.length === 0 ? (
            <p class="muted">Nothing sent yet.</p>
          ) : (
            <table class="table" data-testid="deliveries">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Channel</th>
                  <th>Notification</th>
                  <th>Status</th>
                  <th class="num">Attempts</th>
                  <th>Answer</th>
                </tr>
              </thead>
              <tbody>
                {props.deliveries.map((d) => (
                  <tr data-testid="delivery" data-delivery-id={d.id}>
                    <td>
                      <details>
                        <summary>{d.at}</summary>
                        <DeliveryAttempts log={d.log} />
                      </details>
                    </td>
                    <td>
                      {d.channel}
                      {d.target ? <span class="small muted mono"> {d.target}</span> : null}
                    </td>
                    <td>{d.kind}</td>
                    <td>
                      <DeliveryStatus status={d.status} nextAttemptAt={d.nextAttemptAt} />
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td class="muted">{answerOf({ statusCode: d.code, error: d.error })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </Layout>
  );
}
