/** @jsxImportSource hono/jsx */
import { Layout } from "../../layout";

/**
 * The page an unsubscribe link opens: no login. Opening the link changes nothing (mail scanners
 * fetch every link in a message): it shows one button, whose POST unsubscribes. Then it says
 * exactly what changed and offers the way back.
 */
export type UnsubscribeState = "confirm" | "unsubscribed" | "resubscribed" | "invalid";

const TITLES: Record<UnsubscribeState, string> = {
  confirm: "Unsubscribe from this report?",
  unsubscribed: "You are unsubscribed",
  resubscribed: "You are subscribed again",
  invalid: "This link does not work",
};

export function UnsubscribePage(props: {
  state: UnsubscribeState;
  email?: string;
  dashboardName?: string;
  productName?: string;
  /** confirm: where the button posts (the link itself); unsubscribed: the resubscribe form. */
  form?: { action: string; r?: string; s?: string };
}) {
  const title = TITLES[props.state];
  return (
    <Layout title={title}>
      <div class="auth-page">
        <div class="card auth-card unsubscribe-card" data-testid="unsubscribe-page" data-state={props.state}>
          <h1>{title}</h1>
          {props.state === "invalid" ? (
            <p class="muted">The link is incomplete, or the report or this address was removed from it. If you still get emails, ask the person who set up the report.</p>
          ) : props.state === "confirm" ? (
            <>
              <p>
                Stop sending <strong>{props.dashboardName}</strong> reports of {props.productName} to <strong>{props.email}</strong>? Other recipients are not
                affected.
              </p>
              <form method="post" action={props.form?.action}>
                <button type="submit" class="btn btn-primary" data-testid="unsubscribe">
                  Unsubscribe
                </button>
              </form>
            </>
          ) : (
            <>
              <p>
                {props.state === "unsubscribed" ? "We won't send " : "You will get "}
                <strong>{props.dashboardName}</strong> reports of {props.productName} to <strong>{props.email}</strong>
                {props.state === "unsubscribed" ? " any more." : " again, on its schedule."} Other recipients are not affected.
              </p>
              {props.form ? (
                <form method="post" action={props.form.action}>
                  <input type="hidden" name="r" value={props.form.r} />
                  <input type="hidden" name="s" value={props.form.s} />
                  <button type="submit" class="btn" data-testid="resubscribe">
                    Changed your mind? Subscribe again
                  </button>
                </form>
              ) : null}
            </>
          )}
        </div>
      </div>
    </Layout>
  );
}
