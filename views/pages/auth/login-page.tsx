/** @jsxImportSource hono/jsx */
import { AuthShell } from "./auth-shell";
import { OAuthButtons, type OAuthOptions } from "./oauth-buttons";
import { FormError, FormNotice, TextField } from "../../components/form";

export type LoginProps = { email: string; next: string | null; error?: string; notice?: string; oauth: OAuthOptions };

const withNext = (path: string, next: string | null, extra: Record<string, string> = {}) => {
  const q = new URLSearchParams({ ...(next ? { next } : {}), ...extra }).toString();
  return q ? `${path}?${q}` : path;
};

/**
 * The sign-in form; also the HTMX answer to its own POST (swapped in place, outerHTML), so a
 * wrong password shows its message without a page load. Without script it is a plain form.
 */
export function LoginForm(props: LoginProps) {
  return (
    <form method="post" action="/login" hx-post="/login" hx-target="this" hx-swap="outerHTML" novalidate data-testid="login-form">
      <FormNotice message={props.notice} />
      <FormError message={props.error} />
      {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
      <TextField id="login-email" name="email" type="email" label="Email" value={props.email} autocomplete="email" required autofocus={!props.email} />
      <TextField
        id="login-password"
        name="password"
        type="password"
        label="Password"
        labelAside={<a href={withNext("/reset-password", null, props.email ? { email: props.email } : {})}>Forgot password?</a>}
        autocomplete="current-password"
        required
        autofocus={!!props.email}
      />
      <button type="submit" class="btn btn-primary btn-large">
        Sign in
      </button>
    </form>
  );
}

export function LoginPage(props: LoginProps) {
  return (
    <AuthShell
      title="Sign in"
      testId="login-card"
      foot={
        <>
          New to LiteKPI? <a href={withNext("/register", props.next)}>Create an account</a>
        </>
      }
    >
      <h1>Sign in</h1>
      <p class="auth-sub">Welcome back. Sign in to see your dashboards.</p>
      <OAuthButtons oauth={props.oauth} next={props.next} />
      <LoginForm {...props} />
    </AuthShell>
  );
}
