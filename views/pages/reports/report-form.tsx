/** @jsxImportSource hono/jsx */
import { WEEKDAYS } from "../../../src/reports/schedule";
import { FieldError, type FieldErrors } from "../products/parts";
import { reportsBase, reportUrls, type ReportsContext } from "./urls";

/**
 * Create or edit a schedule. The weekday and month-day fields show only for their frequency
 * (CSS :has() on the checked radio, so no script is needed); recipients are checked one by one
 * and an error names the bad address. A 422 answer is this form again, values kept.
 */
export type ReportFormValues = { frequency: string; weekday: string; monthDay: string; timeOfDay: string; recipients: string };

export const emptyReportForm = (email?: string): ReportFormValues => ({ frequency: "weekly", weekday: "1", monthDay: "1", timeOfDay: "09:00", recipients: email ?? "" });

export function ReportForm(props: { ctx: ReportsContext; values: ReportFormValues; errors?: FieldErrors; reportId?: string }) {
  const { ctx, values } = props;
  const errors = props.errors ?? {};
  const editing = props.reportId !== undefined;
  const action = editing ? reportUrls(ctx, props.reportId!).self : reportsBase(ctx);
  const cancel = editing ? reportUrls(ctx, props.reportId!).self : `${reportsBase(ctx)}/editor`;
  const id = editing ? `report-${props.reportId}` : "report-form";
  const f = (name: string) => `${id}-${name}`;
  const invalid = (name: string) => (errors[name] ? { "aria-invalid": "true", "aria-describedby": `${f(name)}-error` } : {});
  return (
    <form class="card report-form" id={id} method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" novalidate data-testid="report-form">
      <h2>{editing ? "Edit schedule" : "New email report"}</h2>
      <p class="muted small">
        Every widget of “{ctx.dashboard.name}” as a picture, with its numbers, sent at a time of day in {ctx.timezone.replaceAll("_", " ")} (the product's time zone).
      </p>

      <fieldset class="field report-frequency">
        <legend class="label">How often</legend>
        <div class="segmented" role="radiogroup">
          {(["daily", "weekly", "monthly"] as const).map((freq) => (
            <label>
              <input type="radio" name="frequency" value={freq} checked={values.frequency === freq} class="visually-hidden" />
              {freq === "daily" ? "Daily" : freq === "weekly" ? "Weekly" : "Monthly"}
            </label>
          ))}
        </div>
        <FieldError id={f("frequency")} message={errors.frequency} />
      </fieldset>

      <div class="inline-fields">
        <div class="field when-weekly">
          <label for={f("weekday")}>On</label>
          <select id={f("weekday")} name="weekday" class="input" {...invalid("weekday")}>
            {WEEKDAYS.map((day, i) => (
              <option value={String(i + 1)} selected={values.weekday === String(i + 1)}>
                {day}
              </option>
            ))}
          </select>
          <FieldError id={f("weekday")} message={errors.weekday} />
        </div>
        <div class="field when-monthly">
          <label for={f("monthDay")}>On day</label>
          <select id={f("monthDay")} name="month_day" class="input" aria-describedby={errors.monthDay ? `${f("monthDay")}-error` : `${f("monthDay")}-hint`} aria-invalid={errors.monthDay ? "true" : undefined}>
            {Array.from({ length: 31 }, (_, i) => String(i + 1)).map((d) => (
              <option value={d} selected={values.monthDay === d}>
                {d}
              </option>
            ))}
          </select>
          <p class="hint" id={`${f("monthDay")}-hint`}>
            29–31 run on the last day of shorter months.
          </p>
          <FieldError id={f("monthDay")} message={errors.monthDay} />
        </div>
        <div class="field">
          <label for={f("timeOfDay")}>At</label>
          <input id={f("timeOfDay")} name="time_of_day" type="time" step="60" class="input" value={values.timeOfDay} required {...invalid("timeOfDay")} />
          <FieldError id={f("timeOfDay")} message={errors.timeOfDay} />
        </div>
      </div>

      <div class="field">
        <label for={f("recipients")}>Recipients</label>
        <textarea
          id={f("recipients")}
          name="recipients"
          class="input"
          rows={3}
          placeholder={"founder@example.com\nteam@example.com"}
          aria-describedby={errors.recipients ? `${f("recipients")}-error` : `${f("recipients")}-hint`}
          aria-invalid={errors.recipients ? "true" : undefined}
          data-testid="report-recipients"
        >
          {values.recipients}
        </textarea>
        <p class="hint" id={`${f("recipients")}-hint`}>
          One address per line (or separated by commas). Each email has its own unsubscribe link; no account needed.
        </p>
        <FieldError id={f("recipients")} message={errors.recipients} />
      </div>

      <div class="form-actions">
        <button type="submit" class="btn btn-primary" data-testid="save-report">
          {editing ? "Save schedule" : "Create schedule"}
        </button>
        <a class="btn btn-ghost" href={reportsBase(ctx)} hx-get={cancel} hx-target={`#${id}`} hx-swap="outerHTML">
          Cancel
        </a>
      </div>
    </form>
  );
}
