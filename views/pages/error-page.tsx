/** @jsxImportSource hono/jsx */
import { Layout } from "../layout";

const TITLES: Record<number, string> = { 400: "Bad request", 401: "Sign in needed", 403: "Not allowed", 404: "Not found", 413: "Too large", 429: "Slow down", 500: "Something went wrong" };

export function ErrorPage(props: { status: number; message: string; fragment?: boolean }) {
  const title = TITLES[props.status] ?? "Error";
  const body = (
    <div class="error-card" role="alert">
      <p class="error-status">{props.status}</p>
      <h1>{title}</h1>
      <p class="muted">{props.message}</p>
      <p>
        <a href="/">Back to LiteKPI</a>
      </p>
    </div>
  );
  if (props.fragment) return body;
  return <Layout title={title}>{body}</Layout>;
}
