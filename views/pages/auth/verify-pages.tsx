/** @jsxImportSource hono/jsx */
import { AuthIcon, AuthShell } from "./auth-shell";
import { FormError, FormNotice } from "../../components/form";

export type CheckInboxProps = { email: string; mailConfigured: boolean; notice?: string; error?: string };

/**
 * /verify-email for a signed-in, unverified user: where the link went, and a resend button.
 * The card is also the HTMX answer to the resend POST.
 */
export function CheckInboxCard(props: CheckInboxProps) {
  return (
    <div id="check-inbox" data-testid="check-inbox">
      <AuthIcon kind="mail" />
      <h1>Check your inbox</h1>
      <p class="auth-sub">
        We sent a confirmation link to <strong>{props.email}</strong>. Open it to finish creating your account; it works for 24 hours.
      </p>
      {props.mailConfigured ? null : (
        <p class="notice notice-warn">This server has no mail server configured (SMTP_URL), so the link was written to the server's log instead.</p>
      )}
      <FormNotice message={props.notice} />
      <FormError message={props.error} />
      <form method="post" action="/verify-email/resend" hx-post="/verify-email/resend" hx-target="#check-inbox" hx-swap="outerHTML">
        <button type="submit" class="btn btn-large btn-block" data-testid="resend">
          Send the link again
        </button>
      </form>
      <form method="post" action="/logout" class="auth-foot">
        Wrong address?{" "}
        <button type="submit" class="btn btn-ghost btn-small">
          Sign out and start over
        </button>
      </form>
    </div>
  );
}

export function CheckInboxPage(props: CheckInboxProps) {
  return (
    <AuthShell title="Check your inbox">
      <CheckInboxCard {...props} />
    </AuthShell>
  );
}

export type VerifyOutcome = "verified" | "used" | "expired" | "invalid";

const OUTCOME: Record<VerifyOutcome, { title: string; icon: "ok" | "bad" }> = {
  verified: { title: "Email confirmed", icon: "ok" },
  used: { title: "This link was already used", icon: "bad" },
  expired: { title: "This link has expired", icon: "bad" },
  invalid: { title: "This link is not valid", icon: "bad" },
};

/**
 * What opening a verification link did; always ends with the one next step. `next` is where the
 * person was going when they registered (an invite page), carried through the mailed link.
 */
export function VerifyResultPage(props: { outcome: VerifyOutcome; email?: string; verified: boolean; signedIn: boolean; next?: string | null }) {
  const { title, icon } = OUTCOME[props.outcome];
  const q = new URLSearchParams();
  if (props.email) q.set("email", props.email);
  if (props.next) q.set("next", props.next);
  const signIn = q.size ? `/login?${q}` : "/login";
  let text: string;
  let action = props.signedIn ? { href: props.next ?? "/", label: "Continue to LiteKPI" } : { href: signIn, label: "Sign in" };
  switch (props.outcome) {
    case "verified":
      text = `Thanks, ${props.email ?? "your address"} is confirmed. Your account is ready.`;
      break;
    case "used":
      text = props.verified ? "Your email is already confirmed, so there is nothing left to do here." : "Each link works once. Sign in to get a new one.";
      break;
    case "expired":
      text = "Confirmation links work for 24 hours. Sign in and send yourself a new one.";
      if (!props.signedIn) action = { href: signIn, label: "Sign in to get a new link" };
      else action = { href: "/verify-email", label: "Get a new link" };
      break;
    case "invalid":
      text = "Check that you opened the whole link from the email. A link also stops working when a newer one is sent.";
      break;
  }
  return (
    <AuthShell title={title} testId={`verify-${props.outcome}`}>
      <AuthIcon kind={icon} />
      <h1>{title}</h1>
      <p class="auth-sub">{text}</p>
      <a class="btn btn-primary btn-large btn-block" href={action.href}>
        {action.label}
      </a>
    </AuthShell>
  );
}
