/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";

/**
 * A labelled input with its hint and inline error, wired for screen readers (aria-invalid,
 * aria-describedby). The error sits right under its input, so nothing else on the page moves.
 */
export function TextField(props: {
  id: string;
  name: string;
  label: Child;
  labelAside?: Child;
  type?: "text" | "email" | "password" | "url" | "search";
  value?: string;
  error?: string;
  hint?: Child;
  autocomplete?: string;
  placeholder?: string;
  required?: boolean;
  autofocus?: boolean;
  minlength?: number;
  maxlength?: number;
}) {
  const described = [props.hint ? `${props.id}-hint` : "", props.error ? `${props.id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
      {props.labelAside ? (
        <div class="label-row">
          <label for={props.id}>{props.label}</label>
          {props.labelAside}
        </div>
      ) : (
        <label for={props.id}>{props.label}</label>
      )}
      <input
        id={props.id}
        class="input"
        name={props.name}
        type={props.type ?? "text"}
        value={props.value}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        required={props.required}
        autofocus={props.autofocus}
        minlength={props.minlength}
        maxlength={props.maxlength}
        aria-invalid={props.error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** A message about the whole form (wrong credentials, too many attempts), announced when it appears. */
export function FormError(props: { message?: string; testId?: string }) {
  if (!props.message) return null;
  return (
    <p class="form-error" role="alert" data-testid={props.testId ?? "form-error"}>
      {props.message}
    </p>
  );
}

/** A quiet success line (e.g. "We sent a new link"). */
export function FormNotice(props: { message?: string }) {
  if (!props.message) return null;
  return (
    <p class="notice notice-ok" role="status" data-testid="form-notice">
      {props.message}
    </p>
  );
}
