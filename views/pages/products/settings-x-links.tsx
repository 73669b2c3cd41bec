/** @jsxImportSource hono/jsx */
import type { XLink } from "../../../src/revenue/x-links";
import type { FormErrors } from "../../../src/http/forms";

/**
 * Settings → Revenue → X (Twitter) posts: each t.co link named after its post, so the web
 * dashboard's referrer breakdown shows which post brought the visitors and the revenue. Owners
 * add and remove; members see the list.
 */
export type XLinksProps = { links: XLink[]; canEdit: boolean; action: string; removeAction: string; errors?: FormErrors; values?: { link?: string; label?: string; postUrl?: string } };

export function XLinksSection(props: XLinksProps) {
  const errors = props.errors ?? {};
  const field = (name: "link" | "label" | "postUrl", label: string, hint: string, opts: { required?: boolean; type?: string } = {}) => (
    <div class="field">
      <label for={`x-${name}`}>{label}</label>
      <input
        id={`x-${name}`}
        class="input"
        name={name}
        type={opts.type ?? "text"}
        value={props.values?.[name] ?? ""}
        required={opts.required}
        autocomplete="off"
        aria-invalid={errors[name] ? "true" : undefined}
        aria-describedby={errors[name] ? `x-${name}-error` : `x-${name}-hint`}
      />
      {errors[name] ? (
        <p class="field-error" id={`x-${name}-error`}>
          {errors[name]}
        </p>
      ) : (
        <p class="hint" id={`x-${name}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
  return (
    <section class="settings-section stack" aria-labelledby="x-links-title" data-testid="x-links" id="x-links">
      <div>
        <h2 id="x-links-title">X (Twitter) posts</h2>
        <p class="muted">
          X turns every link in a post into a t.co link, and a click on it arrives with that link as its referrer. Name each link after its post: the web dashboard's Referrers tab then shows the post beside its visitors, revenue and conversion rate. Clicks on X ads (they carry <code>twclid</code>) count under the source “Twitter Ads”, apart from organic “Twitter”.
        </p>
      </div>
      {props.links.length ? (
        <table class="table" data-testid="x-links-table">
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">Post</th>
              {props.canEdit ? (
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {props.links.map((l) => (
              <tr>
                <td>
                  <code>{l.link}</code>
                </td>
                <td>{l.postUrl ? <a href={l.postUrl} rel="noopener noreferrer" target="_blank">{l.label}</a> : l.label}</td>
                {props.canEdit ? (
                  <td class="num">
                    <form method="post" action={props.removeAction} class="inline-form">
                      <input type="hidden" name="link" value={l.link} />
                      <button class="btn btn-small btn-danger-quiet" type="submit" aria-label={`Remove ${l.link} (${l.label})`}>
                        Remove
                      </button>
                    </form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted" data-testid="x-links-empty">
          No posts named yet. Open your post on X, copy the t.co address of its link (or find it in the Referrers tab), and name it below.
        </p>
      )}
      {props.canEdit ? (
        <form method="post" action={props.action} class="card stack" data-testid="x-link-form">
          {field("link", "t.co link", "Like https://t.co/AbC123", { required: true })}
          {field("label", "Post", "What the post said, or when it went out", { required: true })}
          {field("postUrl", "Post address (optional)", "https://x.com/you/status/…, to open it from here", { type: "url" })}
          <div>
            <button class="btn btn-primary" type="submit">
              Add post
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
