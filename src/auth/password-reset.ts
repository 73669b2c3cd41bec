import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { findUserByEmail, hashPassword, type User } from "./users";
import { EmailSchema, parseOrThrow, PasswordSchema } from "../lib/validate";
import { checkEmailToken, consumeEmailToken, createEmailToken, revokeEmailTokens } from "./email-tokens";
import { invalidateUserSessions } from "./session";

/**
 * FR-1.4: reset by email. The request answers the same whether or not the address has an account
 * (the route shows one page); only a known address gets a token (1 h) to mail.
 */
export function requestPasswordReset(db: Db, email: string, now: number): { user: User; token: string } | null {
  const address = parseOrThrow(EmailSchema, email, "email");
  const user = findUserByEmail(db, address);
  if (!user) return null;
  return { user, token: createEmailToken(db, user.id, "reset", now) };
}

/** Whether a reset link can still be used (its page shows the form only then). */
export const checkResetToken = (db: Db, token: string, now: number) => checkEmailToken(db, token, "reset", now);

/**
 * Sets the new password and, in the same transaction, uses the token, ends EVERY session of the
 * user (a reset is what someone does when they fear another person is signed in) and revokes
 * other reset links. The mailed link proves the address, so the account becomes verified.
 */
export async function resetPassword(db: Db, token: string, password: string, now: number) {
  const passwordHash = await hashPassword(parseOrThrow(PasswordSchema, password, "password"));
  return consumeEmailToken(db, token, "reset", now, (tx, user) => {
    tx.update(users)
      .set({ passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? now })
      .where(eq(users.id, user.id))
      .run();
    invalidateUserSessions(tx, user.id);
    revokeEmailTokens(tx, user.id, "reset", now);
    return user;
  });
}
