import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { AppError } from "../lib/errors";
import { createUser, findUserByEmail, type User } from "./users";
import { consumeEmailToken, createEmailToken } from "./email-tokens";

/**
 * FR-1.1/1.2: a new account starts unverified and gets a verification token (24 h) to mail.
 * Validation (email shape, password length, name) comes from createUser as field errors. A taken
 * address is not an error the visitor may see (it would tell anyone which addresses have an
 * account): it answers `taken` with the existing user, whom the route mails instead. createUser
 * hashes the password before it looks, so both answers take as long.
 */
export type Registration = { kind: "created"; user: User; token: string } | { kind: "taken"; user: User };

export async function registerUser(db: Db, input: { email: string; password: string; name?: string }, now: number): Promise<Registration> {
  try {
    const user = await createUser(db, { email: input.email, password: input.password, name: input.name, verified: false }, now);
    return { kind: "created", user, token: createEmailToken(db, user.id, "verify", now) };
  } catch (err) {
    const existing = err instanceof AppError && err.code === "email_taken" ? findUserByEmail(db, input.email) : undefined;
    if (!existing) throw err;
    return { kind: "taken", user: existing };
  }
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
