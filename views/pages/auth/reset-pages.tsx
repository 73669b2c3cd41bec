/** @jsxImportSource hono/jsx */
import { AuthIcon, AuthShell } from "./auth-shell";
import { FormError, TextField } from "../../components/form";

const backToSignIn = (
  <>
    Remembered it? <a href="/login">Back to sign in</a>
  </>
);

/** Step 1: ask for the address. A plain form: its answer is a whole new page (step 2). */
export function ResetRequestForm(props: { email: string; error?: string; fieldError?: string }) {
  return (
    <form method="post" action="/reset-password" novalidate data-testid="reset-request-form">
      <FormError message={props.error} />
      <TextField id="reset-email" name="email" type="email" label="Email" value={props.email} error={props.fieldError} autocomplete="email" required autofocus />
      <button type="submit" class="btn btn-primary btn-large">
        Send reset link
      </button>
    </form>
  );
}

export function ResetRequestPage(props: { email: string; error?: string; fieldError?: string }) {
  return (
    <AuthShell title="Reset your password" foot={backToSignIn} testId="reset-request">
      <h1>Reset your password</h1>
      <p class="auth-sub">Enter your account's email and we'll send you a link to choose a new password.</p>
      <ResetRequestForm {...props} />
    </AuthShell>
  );
}

/**
 * Step 2: the same answer for every address, known or not, so the page never tells whether an
 * account exists (NFR-1.x).
 */
export function ResetSentCard(props: { email: string; mailConfigured: boolean }) {
  return (
    <div data-testid="reset-sent">
      <AuthIcon kind="mail" />
      <h1>Check your inbox</h1>
      <p class="auth-sub">
        If an account exists for <strong>{props.email}</strong>, we sent it a link to choose a new password. The link works for 1 hour.
      </p>
      {props.mailConfigured ? null : (
        <p class="notice notice-warn">This server has no mail server configured (SMTP_URL), so reset links are written to the server's log.</p>
      )}
      <a class="btn btn-large btn-block" href="/login">
        Back to sign in
      </a>
    </div>
  );
}

export function ResetSentPage(props: { email: string; mailConfigured: boolean }) {
  return (
    <AuthShell title="Check your inbox">
      <ResetSentCard {...props} />
    </AuthShell>
  );
}

/** Step 3: the mailed link's page, for a link that still works. */
export function NewPasswordForm(props: { token: string; email: string; error?: string; minPasswordLength: number }) {
  const action = `/reset-password/${props.token}`;
  return (
    <form method="post" action={action} hx-post={action} hx-target="this" hx-swap="outerHTML" novalidate data-testid="new-password-form">
      {/* Lets password managers store the new password under the right account. */}
      <input type="email" name="username" value={props.email} autocomplete="username" readonly hidden />
      <TextField
        id="new-password"
        name="password"
        type="password"
        label="New password"
        error={props.error}
        hint={props.error ? undefined : `At least ${props.minPasswordLength} characters. You will be signed out everywhere else.`}
        autocomplete="new-password"
        minlength={props.minPasswordLength}
        required
        autofocus
      />
      <button type="submit" class="btn btn-primary btn-large">
        Set new password
      </button>
    </form>
  );
}

export function NewPasswordPage(props: { token: string; email: string; error?: string; minPasswordLength: number }) {
  return (
    <AuthShell title="Choose a new password" foot={backToSignIn} testId="new-password">
      <AuthIcon kind="key" />
      <h1>Choose a new password</h1>
      <p class="auth-sub">
        For <strong>{props.email}</strong>.
      </p>
      <NewPasswordForm {...props} />
    </AuthShell>
  );
}

const PROBLEMS = {
  invalid: { title: "This link is not valid", text: "Check that you opened the whole link from the email. A link also stops working when a newer one is sent." },
  used: { title: "This link was already used", text: "Each reset link works once. If you still need a new password, ask for another link." },
  expired: { title: "This link has expired", text: "Reset links work for 1 hour. Ask for a new one; it only takes a moment." },
} as const;

export function ResetLinkProblemPage(props: { problem: keyof typeof PROBLEMS }) {
  const p = PROBLEMS[props.problem];
  return (
    <AuthShell title={p.title} foot={backToSignIn} testId={`reset-${props.problem}`}>
      <AuthIcon kind="bad" />
      <h1>{p.title}</h1>
      <p class="auth-sub">{p.text}</p>
      <a class="btn btn-primary btn-large btn-block" href="/reset-password">
        Get a new reset link
      </a>
    </AuthShell>
  );
}
