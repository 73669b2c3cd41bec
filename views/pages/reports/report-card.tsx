/** @jsxImportSource hono/jsx */
import type { Delivery, ReportWithRecipients } from "../../../src/reports/reports";
import { describeSchedule, type Schedule } from "../../../src/reports/schedule";
import { Confirm, Notice } from "../products/parts";
import { formatLocal, reportUrls, type ReportsContext } from "./urls";

/**
 * One schedule: when it runs and the next run, its recipients (an unsubscribed one is marked),
 * the actions (send a test now, edit, pause/resume, delete) and its delivery log. htmx swaps the
 * card as a whole (#report-<id>); every action also works as a plain form post.
 */
export function ReportCard(props: { ctx: ReportsContext; report: ReportWithRecipients; deliveries: Delivery[]; notice?: { message: string; tone: "ok" | "warn" | "bad" } }) {
  const { ctx, report } = props;
  const urls = reportUrls(ctx, report.id);
  const paused = report.pausedAt !== null;
  const active = report.recipients.filter((r) => r.pausedAt === null).length;
  const target = `#report-${report.id}`;
  const hx = { "hx-target": target, "hx-swap": "outerHTML" };
  return (
    <article class={`card report-card${paused ? " is-paused" : ""}`} id={`report-${report.id}`} data-testid="report-card" data-report-id={report.id}>
      <header class="report-card-head">
        <div>
          <h2 class="report-schedule">{describeSchedule(report as Schedule)}</h2>
          <p class="muted small report-next" data-testid="report-next">
            {paused ? "Paused — resume to schedule the next run" : report.nextRunAt ? `Next: ${formatLocal(report.nextRunAt, ctx.timezone)} (${ctx.timezone.replaceAll("_", " ")})` : ""}
          </p>
        </div>
        <span class={paused ? "badge" : "badge badge-up"} data-testid="report-state">
          {paused ? "Paused" : "Active"}
        </span>
      </header>

      {props.notice ? <Notice message={props.notice.message} tone={props.notice.tone === "bad" ? "warn" : props.notice.tone} /> : null}

      <ul class="recipient-list" aria-label="Recipients">
        {report.recipients.map((r) => (
          <li class={r.pausedAt ? "recipient is-unsubscribed" : "recipient"} data-testid="recipient">
            <span class="recipient-email">{r.email}</span>
            {r.pausedAt ? <span class="badge">unsubscribed</span> : null}
          </li>
        ))}
      </ul>

      <div class="report-actions">
        <form method="post" action={urls.test} hx-post={urls.test} {...hx}>
          <button type="submit" class="btn btn-small btn-primary" disabled={active === 0} data-testid="send-test">
            Send test now
          </button>
        </form>
        <a class="btn btn-small" href={urls.edit} hx-get={urls.edit} {...hx}>
          Edit
        </a>
        <form method="post" action={paused ? urls.resume : urls.pause} hx-post={paused ? urls.resume : urls.pause} {...hx}>
          <button type="submit" class="btn btn-small" data-testid={paused ? "resume-report" : "pause-report"}>
            {paused ? "Resume" : "Pause"}
          </button>
        </form>
        <span class="spacer"></span>
        <Confirm label="Delete" question="Delete this schedule and its delivery log? Recipients get no more emails from it." confirmLabel="Delete schedule" action={urls.remove} target="#reports" danger testId="delete-report" />
      </div>
      <p class="hint">{active === 0 ? "Every recipient has unsubscribed; nothing is sent until someone is added." : `A test goes to the ${active} active recipient${active === 1 ? "" : "s"} now and leaves the schedule as it is.`}</p>

      <DeliveryLog deliveries={props.deliveries} timezone={ctx.timezone} />
    </article>
  );
}

const STATUS: Record<string, { label: string; badge: string }> = {
  sent: { label: "Sent", badge: "badge badge-up" },
  failed: { label: "Failed", badge: "badge badge-down" },
  skipped: { label: "Skipped", badge: "badge" },
  retrying: { label: "Retrying", badge: "badge badge-warn" },
  pending: { label: "Sending", badge: "badge badge-accent" },
};

/** Sent / failed / skipped / retrying, and why: the error, or who it went to. */
export function DeliveryLog(props: { deliveries: Delivery[]; timezone: string }) {
  if (!props.deliveries.length) return <p class="empty-line muted small report-log-empty">No deliveries yet. Use “Send test now” to see the email.</p>;
  return (
    <details class="report-log" open>
      <summary>Delivery log</summary>
      <div class="table-wrap">
        <table class="table report-log-table" data-testid="delivery-log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Status</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {props.deliveries.map((d) => {
              const status = STATUS[d.status] ?? { label: d.status, badge: "badge" };
              const sentTo: string[] = JSON.parse(d.recipients ?? "[]");
              const when = formatLocal(d.isTest ? d.createdAt : d.scheduledFor, props.timezone);
              return (
                <tr data-testid="delivery" data-status={d.status}>
                  <td class="nowrap">
                    {when}
                    {d.isTest ? <span class="badge report-test-badge">test</span> : null}
                  </td>
                  <td>
                    <span class={status.badge}>{status.label}</span>
                  </td>
                  <td class="report-log-detail">
                    {d.error ? <span class={d.status === "sent" ? "muted" : undefined}>{d.error}</span> : null}
                    {d.error && sentTo.length ? <br /> : null}
                    {sentTo.length ? <span class="muted">{`Sent to ${sentTo.join(", ")}`}</span> : null}
                    {d.status === "retrying" && d.nextAttemptAt ? <span class="muted">{` · next try ${formatLocal(d.nextAttemptAt, props.timezone)} (attempt ${d.attempts + 1} of 4)`}</span> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </details>
  );
}
