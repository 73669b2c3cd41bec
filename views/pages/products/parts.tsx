/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/** Small building blocks of the product pages. Alpine components live in static/app.js (CSP build). */

export type FieldErrors = Partial<Record<string, string>>;

/** Every IANA zone the runtime knows, UTC first. */
export function timeZoneNames(): string[] {
  const zones = Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC");
  return ["UTC", ...zones];
}

/**
 * The time zone select. With `detect`, the `timezoneSelect` Alpine component picks the browser's
 * zone (when the list has it); without JS the server's choice (UTC, or the product's zone) stays.
 */
export function TimeZoneSelect(props: { id: string; value: string; detect?: boolean; disabled?: boolean; invalid?: boolean }) {
  return (
    <select
      id={props.id}
      name="timezone"
      class="input"
      x-data="timezoneSelect"
      data-detect={props.detect ? "1" : undefined}
      disabled={props.disabled}
      aria-invalid={props.invalid ? "true" : undefined}
      aria-describedby={props.invalid ? `${props.id}-error` : undefined}
    >
      {timeZoneNames().map((zone) => (
        <option value={zone} selected={zone === props.value}>
          {zone.replaceAll("_", " ")}
        </option>
      ))}
    </select>
  );
}

export function FieldError(props: { id: string; message?: string }) {
  if (!props.message) return null;
  return (
    <p class="field-error" id={`${props.id}-error`} role="alert">
      {props.message}
    </p>
  );
}

/** A value with a Copy button (the `copy` Alpine component copies the text of x-ref="source"). */
export function CopyField(props: { value: string; label: string; testId?: string; multiline?: boolean }) {
  return (
    <div class={props.multiline ? "copy-field copy-field-block" : "copy-field"} x-data="copy">
      <code x-ref="source" data-testid={props.testId} aria-label={props.label}>
        {props.value}
      </code>
      <button type="button" class="btn btn-small" x-on:click="copy" aria-label={`Copy ${props.label}`}>
        <span x-text="label">Copy</span>
      </button>
    </div>
  );
}

/**
 * A confirmation that works without JavaScript: the first button only opens the question, the
 * second one posts. htmx swaps the section given by `target` when it is loaded.
 */
export function Confirm(props: { label: string; question: Child; confirmLabel: string; action: string; target: string; danger?: boolean; testId?: string }) {
  return (
    <details class="confirm" data-testid={props.testId}>
      <summary class={props.danger ? "btn btn-small btn-danger-quiet" : "btn btn-small"}>{props.label}</summary>
      <div class="confirm-panel" role="dialog" aria-label={props.label}>
        <p>{props.question}</p>
        <form method="post" action={props.action} hx-post={props.action} hx-target={props.target} hx-swap="outerHTML">
          <button type="submit" class={props.danger ? "btn btn-small btn-danger" : "btn btn-small btn-primary"}>
            {props.confirmLabel}
          </button>
        </form>
      </div>
    </details>
  );
}

/** A small status line after an action ("Invite sent to …"). */
export function Notice(props: { message?: string; tone?: "ok" | "warn" }) {
  if (!props.message) return null;
  return (
    <p class={`notice notice-${props.tone ?? "ok"}`} role="status">
      {props.message}
    </p>
  );
}
