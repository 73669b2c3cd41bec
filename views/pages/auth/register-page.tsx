/** @jsxImportSource hono/jsx */
import { AuthShell } from "./auth-shell";
import { OAuthButtons, type OAuthOptions } from "./oauth-buttons";
import { FormError, TextField } from "../../components/form";

export type RegisterProps = {
  values: { email: string; name: string };
  next: string | null;
  errors?: Partial<Record<"email" | "password" | "name", string>>;
  error?: string;
  minPasswordLength: number;
  oauth: OAuthOptions;
};

/** The registration form; also the HTMX answer to its own POST when a field needs fixing. */
export function RegisterForm(props: RegisterProps) {
  const errors = props.errors ?? {};
  return (
    <form method="post" action="/register" hx-post="/register" hx-target="this" hx-swap="outerHTML" novalidate data-testid="register-form">
      <FormError message={props.error} />
      {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
      <TextField
        id="register-email"
        name="email"
        type="email"
        label="Email"
        value={props.values.email}
        error={errors.email}
        autocomplete="email"
        required
        autofocus={!props.values.email || !!errors.email}
        hint={errors.email ? undefined : "We send a link to confirm it."}
      />
      <TextField id="register-name" name="name" label="Your name (optional)" value={props.values.name} error={errors.name} autocomplete="name" maxlength={100} />
      <TextField
        id="register-password"
        name="password"
        type="password"
        label="Password"
        error={errors.password}
        hint={errors.password ? undefined : `At least ${props.minPasswordLength} characters.`}
        autocomplete="new-password"
        required
        minlength={props.minPasswordLength}
        autofocus={!!props.values.email && !errors.email}
      />
      <button type="submit" class="btn btn-primary btn-large">
        Create account
      </button>
    </form>
  );
}

export function RegisterPage(props: RegisterProps) {
  const login = props.next ? `/login?${new URLSearchParams({ next: props.next })}` : "/login";
  return (
    <AuthShell
      title="Create your account"
      testId="register-card"
      foot={
        <>
          Already have an account? <a href={login}>Sign in</a>
        </>
      }
    >
      <h1>Create your account</h1>
      <p class="auth-sub">Free and self-hosted. Your data stays on this server.</p>
      <OAuthButtons oauth={props.oauth} next={props.next} />
      <RegisterForm {...props} />
    </AuthShell>
  );
}
