import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { AppError } from "../lib/errors";
import { createUser, findUserByEmail, normalizeEmail, parsePersonName, type User } from "./users";
import { consumeEmailToken, createEmailToken } from "./email-tokens";
import { createPendingRegistration, type PendingRegistration } from "./pending-registration";

/**
 * FR-1.1/1.2: a new account starts unverified and gets a verification token (24 h) to mail.
 * Validation (email shape, password length, name) comes from createUser as field errors. A taken
 * address is not an error the visitor may see (it would tell anyone which addresses have an
 * account): it answers `taken` with the existing user, whom the route mails instead, and a pending
 * registration (src/auth/pending-registration.ts) whose token the visitor gets in place of a
 * session. createUser hashes the password before it looks, so both answers take as long.
 */
export type Registration =
  | { kind: "created"; user: User; token: string }
  | { kind: "taken"; user: User; pending: { token: string; registration: PendingRegistration } };

export async function registerUser(db: Db, input: { email: string; password: string; name?: string }, now: number): Promise<Registration> {
  try {
    const user = await createUser(db, { email: input.email, password: input.password, name: input.name, verified: false }, now);
    return { kind: "created", user, token: createEmailToken(db, user.id, "verify", now) };
  } catch (err) {
    const existing = err instanceof AppError && err.code === "email_taken" ? findUserByEmail(db, input.email) : undefined;
    if (!existing) throw err;
    // createUser validated every field before it found the address taken: these cannot throw.
    const typed = { email: normalizeEmail(input.email), name: parsePersonName(input.name ?? "") || null };
    const { token, pending } = createPendingRegistration(db, typed, now);
    return { kind: "taken", user: existing, pending: { token, registration: pending } };
  }
}

/** A fresh verification token (the resend button); earlier links stop working. */
export function issueVerificationToken(db: Db, userId: string, now: number): string {
  return createEmailToken(db, userId, "verify", now);
}

/**
 * The resend button. A real unverified user gets a fresh verification token (earlier links stop
 * working); a pending registration mails the account's owner the "someone tried to register" note
 * again (`taken`), or nothing if that account has since gone.
 */
export function reissueVerification(db: Db, who: { user: User; pending: PendingRegistration | null }, now: number) {
  if (!who.pending) return { kind: "verify" as const, token: issueVerificationToken(db, who.user.id, now) };
  const owner = findUserByEmail(db, who.pending.email);
  return owner ? { kind: "taken" as const, owner } : { kind: "gone" as const };
}

/** Uses a verification link: single use, 24 h. */
export function verifyEmail(db: Db, token: string, now: number) {
  return consumeEmailToken(db, token, "verify", now, (tx, user) => {
    if (!user.emailVerifiedAt) tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
    return { ...user, emailVerifiedAt: user.emailVerifiedAt ?? now };
  });
}
