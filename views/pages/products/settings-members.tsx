/** @jsxImportSource hono/jsx */
import { Confirm, CopyField, FieldError, Notice, type FieldErrors } from "./parts";
import { formatDate, timeUntil } from "./format";
import { productUrl } from "../../../src/products/urls";

type Member = { userId: string; email: string; name: string | null; role: string; createdAt: number };
type Invite = { id: string; email: string; createdAt: number; expiresAt: number };

export type MembersSectionProps = {
  product: { id: string; name: string; timezone: string };
  members: Member[];
  invites: Invite[];
  canManage: boolean;
  currentUserId: string;
  now: number;
  values?: { email: string };
  errors?: FieldErrors;
  notice?: string;
  /** With no SMTP configured, the owner gets the link to pass on (it only works for the invited address). */
  manualLink?: { email: string; url: string };
};

/** Members and pending invites (#members). Everyone sees the team; only owners change it. */
export function MembersSection(props: MembersSectionProps) {
  const base = productUrl(props.product.id, "settings");
  const errors = props.errors ?? {};
  return (
    <section id="members" class="settings-stack">
      <div class="card settings-section">
        <h2>Members</h2>
        <p class="muted">Every member can view and edit dashboards, query and export data. Only the owner manages keys and the team.</p>
        <Notice message={props.notice} />
        {props.manualLink ? (
          <div class="reveal-card" role="status">
            <p class="warning-line">
              No mail server is configured, so no email was sent. Send this link to <strong>{props.manualLink.email}</strong> yourself; it works
              once, for that address only, for 7 days.
            </p>
            <CopyField value={props.manualLink.url} label="invite link" testId="invite-link" />
          </div>
        ) : null}
        <div class="table-wrap">
          <table class="table" data-testid="members-table">
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                <th scope="col" class="actions-col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.members.map((m) => (
                <tr data-member={m.email}>
                  <td>
                    <span class="member-name">{m.name ?? m.email}</span>
                    {m.userId === props.currentUserId ? <span class="muted"> (you)</span> : null}
                    {m.name ? <span class="muted member-email">{m.email}</span> : null}
                  </td>
                  <td>
                    <span class={`badge badge-${m.role}`}>{m.role}</span>
                  </td>
                  <td data-label="Joined">{formatDate(m.createdAt, props.product.timezone)}</td>
                  <td class="actions-cell">
                    <div class="row-actions">
                      {props.canManage && m.role !== "owner" ? (
                        <Confirm
                          label="Remove"
                          question={<>Remove {m.email} from {props.product.name}? They lose access at once.</>}
                          confirmLabel="Remove member"
                          action={`${base}/members/${m.userId}/remove`}
                          target="#members"
                          danger
                          testId="remove-member"
                        />
                      ) : null}
                      {m.userId === props.currentUserId && m.role !== "owner" ? (
                        <Confirm
                          label="Leave"
                          question={<>Leave {props.product.name}? You will need a new invite to come back.</>}
                          confirmLabel="Leave product"
                          action={productUrl(props.product.id, "leave")}
                          target="#members"
                          danger
                        />
                      ) : null}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <div class="card settings-section">
        <h2>Pending invites</h2>
        {props.invites.length === 0 ? (
          <p class="empty-line">No pending invites.</p>
        ) : (
          <ul class="invite-list" data-testid="invites">
            {props.invites.map((inv) => (
              <li data-invite={inv.email}>
                <span>
                  <strong>{inv.email}</strong>
                  <span class="muted">
                    {" "}
                    invited {formatDate(inv.createdAt, props.product.timezone)}, expires {timeUntil(inv.expiresAt, props.now)}
                  </span>
                </span>
                {props.canManage ? (
                  <Confirm
                    label="Cancel"
                    question={<>Cancel the invite for {inv.email}? The emailed link stops working.</>}
                    confirmLabel="Cancel invite"
                    action={`${base}/invites/${inv.id}/cancel`}
                    target="#members"
                    testId="cancel-invite"
                  />
                ) : null}
              </li>
            ))}
          </ul>
        )}
        {props.canManage ? (
          <form method="post" action={`${base}/invites`} hx-post={`${base}/invites`} hx-target="#members" hx-swap="outerHTML" class="inline-form" novalidate>
            <div class="field field-grow">
              <label for="invite-email">Invite by email</label>
              <input
                id="invite-email"
                class="input"
                type="email"
                name="email"
                value={props.values?.email ?? ""}
                placeholder="teammate@example.com"
                autocomplete="off"
                aria-invalid={errors.email ? "true" : undefined}
                aria-describedby={errors.email ? "invite-email-error" : undefined}
              />
              <FieldError id="invite-email" message={errors.email} />
            </div>
            <button type="submit" class="btn btn-primary">
              Send invite
            </button>
          </form>
        ) : null}
      </div>
    </section>
  );
}
