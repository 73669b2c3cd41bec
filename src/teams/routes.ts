import { Hono, type Context } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { pageOrFragment, sendPage } from "../http/render";
import { requireUser } from "../auth/middleware";
import { canLeaveProduct, canManageMembers, canViewSettings, productAccess, requirePermission } from "../products/access";
import { backTo, formErrorsOf, formFields, redirectAfterForm } from "../http/forms";
import { pageHeader } from "../products/page-header";
import { acceptInvite, cancelInvite, findInviteByToken, INVITE_PROBLEMS, InviteMailError, listPendingInvites, sendInvite } from "./invites";
import { listMembers, removeMember } from "./memberships";
import { SettingsShell } from "../../views/pages/products/settings-shell";
import { MembersSection, type MembersSectionProps } from "../../views/pages/products/settings-members";
import { InvitePage, type InvitePageState } from "../../views/pages/invites/invite-page";
import { productUrl } from "../products/urls";

/** Members and invites of a product (FR-5.x), and the page an invite link opens. */
export function teamRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  const member = [requireUser(), productAccess(deps)] as const;
  const owner = [...member, requirePermission(canManageMembers, "Only the product's owner can manage the team.")] as const;
  const settings = (id: string) => productUrl(id, "settings", "members");

  const render = (c: Context<AppEnv>, extra: Partial<MembersSectionProps> = {}, status = 200) => {
    const product = c.get("product");
    const now = deps.clock.now();
    const props: MembersSectionProps = {
      product,
      members: listMembers(deps.db, product.id),
      invites: listPendingInvites(deps.db, product.id, now),
      canManage: canManageMembers(c.get("role")),
      currentUserId: c.get("user")!.id,
      now,
      ...extra,
    };
    return pageOrFragment(
      c,
      () => MembersSection(props),
      () => SettingsShell({ header: pageHeader(deps, c, product), product, active: "members", children: MembersSection(props) }),
      status,
    );
  };

  r.get("/products/:productId/settings/members", ...member, requirePermission(canViewSettings, "Settings are for the product's members."), (c) => render(c));

  r.post("/products/:productId/settings/invites", ...owner, async (c) => {
    const product = c.get("product");
    const user = c.get("user")!;
    const form = await formFields(c, "email");
    let sent: Awaited<ReturnType<typeof sendInvite>>;
    try {
      sent = await sendInvite(deps, { product, inviter: user, email: form.email });
    } catch (err) {
      if (err instanceof InviteMailError) {
        deps.log.error("invite mail failed", { productId: product.id, err });
        return render(c, { notice: `The invite for ${err.invite.email} was saved, but the email could not be sent. Check the mail settings, then invite again.` });
      }
      const errors = formErrorsOf(err);
      if (!errors) throw err;
      return render(c, { values: form, errors }, 422);
    }
    const { invite, url, delivered } = sent;
    if (!delivered) return render(c, { manualLink: { email: invite.email, url } });
    if (!c.req.header("HX-Request")) return backTo(c, settings(product.id));
    return render(c, { notice: `Invite sent to ${invite.email}.` });
  });

  r.post("/products/:productId/settings/invites/:inviteId/cancel", ...owner, (c) => {
    const invite = cancelInvite(deps.db, c.get("product").id, c.req.param("inviteId"), deps.clock.now());
    if (!c.req.header("HX-Request")) return backTo(c, settings(c.get("product").id));
    return render(c, { notice: `The invite for ${invite.email} was cancelled.` });
  });

  r.post("/products/:productId/settings/members/:userId/remove", ...owner, (c) => {
    const removed = removeMember(deps.db, c.get("product").id, c.req.param("userId"));
    if (!c.req.header("HX-Request")) return backTo(c, settings(c.get("product").id));
    return render(c, { notice: `${removed.email} was removed and has no access any more.` });
  });

  r.post("/products/:productId/leave", ...member, requirePermission(canLeaveProduct, "The owner cannot leave their own product; delete it instead."), (c) => {
    removeMember(deps.db, c.get("product").id, c.get("user")!.id);
    return redirectAfterForm(c, "/");
  });

  // ── the invite link ──
  // Not behind requireUser: an anonymous or not-yet-verified invitee must see this page; following
  // the mailed link is itself proof of the address, and accepting verifies it.
  r.get("/invites/:token", (c) => sendInvitePage(c, inviteState(c)));

  r.post("/invites/:token/accept", (c) => {
    const user = c.get("user");
    const token = c.req.param("token");
    // A pending registration (src/auth/pending-registration.ts) is nobody's account: it may see
    // the page, never join. Only someone holding the invite for the existing address gets here.
    if (!user || c.get("pending")) return c.redirect(`/login?next=${encodeURIComponent(`/invites/${token}`)}`, 303);
    const state = inviteState(c);
    if (state.kind !== "ready") return sendInvitePage(c, state);
    const { productId } = acceptInvite(deps.db, token, user, deps.clock.now());
    return c.redirect(productUrl(productId), 303);
  });

  function inviteState(c: Context<AppEnv>): InvitePageState {
    const token = c.req.param("token")!;
    const found = findInviteByToken(deps.db, token, deps.clock.now());
    if (!found) return { kind: "invalid" };
    if (found.status !== "pending") return { kind: "unusable", message: INVITE_PROBLEMS[found.status] };
    const here = `/invites/${token}`;
    const inviter = found.inviterName ?? found.inviterEmail;
    const { email } = found.invite;
    const user = c.get("user");
    if (!user) {
      const registerUrl = `/register?${new URLSearchParams({ next: here, email })}`;
      return { kind: "anonymous", productName: found.productName, inviter, email, registerUrl, loginUrl: `/login?${new URLSearchParams({ next: here })}` };
    }
    if (user.email !== email) return { kind: "wrong-account", productName: found.productName, email, signedInAs: user.email };
    return { kind: "ready", productName: found.productName, inviter, email, acceptUrl: `${here}/accept` };
  }

  function sendInvitePage(c: Context<AppEnv>, state: InvitePageState) {
    const status = { invalid: 404, unusable: 410, "wrong-account": 403, anonymous: 200, ready: 200 }[state.kind];
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer"); // the token is in this page's URL
    return sendPage(c, InvitePage({ header: pageHeader(deps, c), state }), status);
  }

  return r;
}
