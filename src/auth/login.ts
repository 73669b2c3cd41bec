import type { Db } from "../db/connection";
import { findUserByEmail, hashPassword, verifyPassword, type User } from "./users";

/**
 * Email + password → the user, or null. Unknown email, OAuth-only account and wrong password all
 * give null, and all three pay for one argon2id verify, so neither the answer nor its timing
 * tells whether an address has an account (NFR-1.x).
 */
let dummyHash: Promise<string> | null = null;

export async function checkCredentials(db: Db, email: string, password: string): Promise<User | null> {
  const user = email.length <= 254 ? findUserByEmail(db, email) : undefined;
  if (!user?.passwordHash) {
    dummyHash ??= hashPassword("not a password anyone has");
    await verifyPassword(password, await dummyHash);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}
