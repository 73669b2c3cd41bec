/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../layout";

const TITLES: Record<number, string> = { 400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found", 413: "Too large", 429: "Slow down", 500: "Something went wrong" };

/** An error as a page (with the app header and a way back) or, for htmx, as the fragment alone. */
export function ErrorPage(props: { status: number; message: string; fragment?: boolean; header?: Child; signedIn?: boolean }) {
  const title = TITLES[props.status] ?? "Error";
  const body = (
    <div class="error-card" role="alert">
      <p class="error-status">{props.status}</p>
      <h1>{title}</h1>
      <p class="muted">{props.message}</p>
      <p class="error-actions">
        <a class="btn btn-primary" href="/" data-testid="error-back">
          {props.signedIn ? "Back to your products" : "Back to LiteKPI"}
        </a>
        {props.signedIn === false ? (
          <a class="btn" href="/login">
            Sign in
          </a>
        ) : null}
      </p>
    </div>
  );
  if (props.fragment) return body;
  return (
    <Layout title={title} header={props.header}>
      {body}
    </Layout>
  );
}
