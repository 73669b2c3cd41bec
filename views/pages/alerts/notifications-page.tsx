/** @jsxImportSource hono/jsx */
import type { Child } from "hono/jsx";
import { Layout } from "../../layout";

/** The bell's page: the user's in-app notifications across their products, newest first. */
export type InboxItem = { id: string; title: string; body: string; productName: string; createdAt: string; unread: boolean };

export function NotificationsPage(props: { header?: Child; items: InboxItem[] }) {
  const unread = props.items.filter((i) => i.unread).length;
  return (
    <Layout title="Notifications" header={props.header}>
      <div class="alerts-page stack">
        <header class="page-title reports-head">
          <h1>Notifications</h1>
          {unread ? (
            <form method="post" action="/notifications/read">
              <button class="btn" type="submit">
                Mark all as read
              </button>
            </form>
          ) : null}
        </header>
        {props.items.length === 0 ? (
          <div class="empty-state">
            <h2>Nothing yet</h2>
            <p>Alerts with the “In the app” channel land here and in the bell at the top.</p>
          </div>
        ) : (
          <ul class="card inbox" data-testid="inbox">
            {props.items.map((i) => (
              <li class={i.unread ? "inbox-item is-unread" : "inbox-item"}>
                <a href={`/notifications/${i.id}`}>
                  <strong>{i.title}</strong>
                </a>
                <span class="muted small">
                  {" "}
                  · {i.productName} · {i.createdAt}
                </span>
                <p class="muted">{i.body}</p>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Layout>
  );
}
