/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";

export type InvitePageState =
  | { kind: "invalid" }
  | { kind: "unusable"; message: string }
  | { kind: "anonymous"; productName: string; inviter: string | null; email: string; registerUrl: string; loginUrl: string }
  | { kind: "wrong-account"; productName: string; email: string; signedInAs: string }
  | { kind: "ready"; productName: string; inviter: string | null; email: string; acceptUrl: string };

/** The page an invite link opens; one centred card whatever the state, always saying what to do next. */
export function InvitePage(props: { header?: Child; state: InvitePageState }) {
  const s = props.state;
  return (
    <Layout title="Invitation" header={props.header}>
      <section class="page-narrow invite-page">
        <div class="card invite-card" data-testid={`invite-${s.kind}`}>{body(s)}</div>
      </section>
    </Layout>
  );
}

function body(s: InvitePageState) {
  switch (s.kind) {
    case "invalid":
      return (
        <>
          <h1>This invite link is not valid</h1>
          <p class="muted">Check that you opened the whole link from the email, or ask the product's owner to invite you again.</p>
          <a class="btn" href="/">
            Go to LiteKPI
          </a>
        </>
      );
    case "unusable":
      return (
        <>
          <h1>This invite can't be used</h1>
          <p class="muted">{s.message}</p>
          <a class="btn" href="/">
            Go to LiteKPI
          </a>
        </>
      );
    case "anonymous":
      return (
        <>
          <p class="eyebrow">Invitation</p>
          <h1>Join {s.productName}</h1>
          <p>
            {s.inviter ?? "The owner"} invited <strong>{s.email}</strong> to view and edit the dashboards of <strong>{s.productName}</strong> on
            LiteKPI.
          </p>
          <div class="form-actions">
            <a class="btn btn-primary" href={s.registerUrl}>
              Create an account
            </a>
            <a class="btn" href={s.loginUrl}>
              I already have an account
            </a>
          </div>
          <p class="hint">Use {s.email}: the invite works only for that address.</p>
        </>
      );
    case "wrong-account":
      return (
        <>
          <h1>This invite is for another account</h1>
          <p>
            The invite to <strong>{s.productName}</strong> was sent to <strong>{s.email}</strong>, but you are signed in as{" "}
            <strong>{s.signedInAs}</strong>.
          </p>
          <p class="muted">Sign out, then open the link again and sign in (or register) as {s.email}.</p>
          <form method="post" action="/logout">
            <button type="submit" class="btn btn-primary">
              Sign out
            </button>
          </form>
        </>
      );
    case "ready":
      return (
        <>
          <p class="eyebrow">Invitation</p>
          <h1>Join {s.productName}</h1>
          <p>
            {s.inviter ?? "The owner"} invited you (<strong>{s.email}</strong>) to view and edit the dashboards of <strong>{s.productName}</strong>.
          </p>
          <form method="post" action={s.acceptUrl}>
            <button type="submit" class="btn btn-primary">
              Accept invite
            </button>
          </form>
        </>
      );
  }
}
