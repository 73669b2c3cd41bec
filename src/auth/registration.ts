import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { createUser, type User } from "./users";
import { consumeEmailToken, createEmailToken } from "./email-tokens";

/**
 * FR-1.1/1.2: a new account starts unverified and gets a verification token (24 h) to mail.
 * Validation (email shape, password length, name) and "email taken" come from createUser as field errors.
 */
export async function registerUser(db: Db, input: { email: string; password: string; name?: string }, now: number): Promise<{ user: User; token: string }> {
  const user = await createUser(db, { email: input.email, password: input.password, name: input.name, verified: false }, now);
  return { user, token: createEmailToken(db, user.id, "verify", now) };
}

/** A fresh verification token (the resend button); earlier links stop working. */
export function issueVerificationToken(db: Db, userId: string, now: number): string {
  return createEmailToken(db, userId, "verify", now);
}

/** Uses a verification link: single use, 24 h. */
export function verifyEmail(db: Db, token: string, now: number) {
  return consumeEmailToken(db, token, "verify", now, (tx, user) => {
    if (!user.emailVerifiedAt) tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id)).run();
    return { ...user, emailVerifiedAt: user.emailVerifiedAt ?? now };
  });
}
