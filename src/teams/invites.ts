import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/connection";
import type { Deps } from "../deps";
import type { Product } from "../products/products";
import { inviteEmail } from "../../views/emails/invite";
import { invites, products, users } from "../db/schema";
import { findUserByEmail, type User } from "../auth/users";
import { EmailSchema, parseOrThrow } from "../lib/validate";
import { AppError, conflict, notFound } from "../lib/errors";
import { newId, randomToken, sha256Hex } from "../lib/tokens";
import { addMember, isMember } from "./memberships";
import { productUrl } from "../products/urls";

/** FR-5.1–5.3: invites are emailed links, single use, valid 7 days, bound to the invited address. */
export const INVITE_TTL_MS = 7 * 24 * 3600_000;

export type Invite = typeof invites.$inferSelect;
export type InviteStatus = "pending" | "accepted" | "cancelled" | "expired";

export const inviteStatus = (invite: Invite, now: number): InviteStatus =>
  invite.acceptedAt ? "accepted" : invite.cancelledAt ? "cancelled" : invite.expiresAt <= now ? "expired" : "pending";

/**
 * A new invite and its token (only its hash is stored; the token exists only in the mail).
 * Inviting the same address again cancels the earlier pending invite, so only the newest link works.
 */
export function createInvite(db: Db, input: { productId: string; email: string; invitedBy: string }, now: number): { invite: Invite; token: string } {
  const email = parseOrThrow(EmailSchema, input.email, "email");
  const existing = findUserByEmail(db, email);
  if (existing && isMember(db, input.productId, existing.id)) throw conflict("already_member", `${email} is already a member of this product`, "email");
  const token = randomToken(20);
  const invite: Invite = {
    id: newId(),
    productId: input.productId,
    email,
    tokenHash: sha256Hex(token),
    invitedBy: input.invitedBy,
    createdAt: now,
    expiresAt: now + INVITE_TTL_MS,
    acceptedAt: null,
    cancelledAt: null,
  };
  db.transaction((tx) => {
    tx.update(invites)
      .set({ cancelledAt: now })
      .where(and(eq(invites.productId, input.productId), eq(invites.email, email), isNull(invites.acceptedAt), isNull(invites.cancelledAt)))
      .run();
    tx.insert(invites).values(invite).run();
  });
  return { invite, token };
}

/**
 * Creates the invite and mails its link. Answers the link too: without SMTP (`delivered: false`)
 * the owner's page shows it to pass on by hand. A failed send throws (the invite stays saved).
 */
export async function sendInvite(
  deps: Pick<Deps, "db" | "clock" | "mailer" | "config">,
  input: { product: Pick<Product, "id" | "name">; inviter: Pick<User, "id" | "name" | "email">; email: string },
): Promise<{ invite: Invite; url: string; delivered: boolean }> {
  const { invite, token } = createInvite(deps.db, { productId: input.product.id, email: input.email, invitedBy: input.inviter.id }, deps.clock.now());
  const url = `${deps.config.baseUrl}/invites/${token}`;
  const mail = await inviteEmail({ to: invite.email, productName: input.product.name, inviter: input.inviter.name ?? input.inviter.email, url, baseUrl: deps.config.baseUrl });
  try {
    const { delivered } = await deps.mailer.send(mail);
    return { invite, url, delivered };
  } catch (err) {
    throw new InviteMailError(invite, err);
  }
}

/** The invite was saved but its mail could not be sent. */
export class InviteMailError extends Error {
  constructor(readonly invite: Invite, cause: unknown) {
    super(`the invite mail to ${invite.email} could not be sent`, { cause });
  }
}

/** Invites the owner still waits on (not accepted, not cancelled, not expired), newest first. */
export function listPendingInvites(db: Db, productId: string, now: number): Invite[] {
  return db
    .select()
    .from(invites)
    .where(and(eq(invites.productId, productId), isNull(invites.acceptedAt), isNull(invites.cancelledAt), gt(invites.expiresAt, now)))
    .orderBy(desc(invites.createdAt))
    .all();
}

export function cancelInvite(db: Db, productId: string, inviteId: string, now: number): Invite {
  const invite = db.select().from(invites).where(and(eq(invites.id, inviteId), eq(invites.productId, productId))).get();
  if (!invite || inviteStatus(invite, now) !== "pending") throw notFound("No such pending invite");
  db.update(invites).set({ cancelledAt: now }).where(eq(invites.id, invite.id)).run();
  return { ...invite, cancelledAt: now };
}

export type InviteDetails = { invite: Invite; status: InviteStatus; productName: string; inviterEmail: string | null; inviterName: string | null };

/** What an invite link names, for its landing page; undefined for a token that never existed. */
export function findInviteByToken(db: Db, token: string, now: number): InviteDetails | undefined {
  if (token.length > 100) return undefined;
  const row = db
    .select({ invite: invites, productName: products.name, inviterEmail: users.email, inviterName: users.name })
    .from(invites)
    .innerJoin(products, eq(products.id, invites.productId))
    .leftJoin(users, eq(users.id, invites.invitedBy))
    .where(eq(invites.tokenHash, sha256Hex(token)))
    .get();
  return row && { ...row, status: inviteStatus(row.invite, now) };
}

/** Why an invite cannot be used, in words for its page. */
export const INVITE_PROBLEMS: Record<Exclude<InviteStatus, "pending">, string> = {
  accepted: "This invite has already been used. Each invite link works once.",
  cancelled: "This invite was cancelled by the product's owner. Ask them to invite you again.",
  expired: "This invite has expired (invites are valid for 7 days). Ask the product's owner to invite you again.",
};

/**
 * Accepts the invite for `user`: the membership and the invite's use in one transaction; the
 * conditional update makes the link single use even when two tabs accept at once. Following the
 * mailed link proves the invitee reads that inbox, so an unverified address becomes verified.
 */
export function acceptInvite(db: Db, token: string, user: User, now: number): { productId: string } {
  const found = findInviteByToken(db, token, now);
  if (!found) throw notFound("This invite link is not valid. Check that you copied the whole link.");
  if (found.status !== "pending") throw new AppError(410, `invite_${found.status}`, INVITE_PROBLEMS[found.status]);
  if (found.invite.email !== user.email) {
    throw new AppError(403, "invite_wrong_account", `This invite is for ${found.invite.email}, but you are signed in as ${user.email}.`);
  }
  const { invite } = found;
  return db.transaction((tx) => {
    const used = tx
      .update(invites)
      .set({ acceptedAt: now })
      .where(and(eq(invites.id, invite.id), isNull(invites.acceptedAt), isNull(invites.cancelledAt)))
      .returning({ id: invites.id })
      .get();
    if (!used) throw new AppError(410, "invite_accepted", INVITE_PROBLEMS.accepted);
    addMember(tx as unknown as Db, invite.productId, user.id, now);
    if (!user.emailVerifiedAt) tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
    return { productId: invite.productId };
  });
}

/**
 * After an email verification whose link carried `next` = an invite page: accepts that invite
 * for `user` and answers the product's URL, or null when `next` is no usable invite of theirs
 * (the verification page then offers `next` as its one button).
 */
export function acceptInviteAfterVerify(deps: { db: Db; clock: { now(): number } }, next: string, user: User): string | null {
  const token = /^\/invites\/([A-Za-z0-9_-]{1,100})$/.exec(next)?.[1];
  if (!token) return null;
  const found = findInviteByToken(deps.db, token, deps.clock.now());
  if (!found || found.status !== "pending" || found.invite.email !== user.email) return null;
  return productUrl(acceptInvite(deps.db, token, user, deps.clock.now()).productId);
}
