import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { conflict } from "../lib/errors";
import { EmailSchema, parseOrThrow, PasswordSchema } from "../lib/validate";
import { newId } from "../lib/tokens";
import { displayNameSchema } from "../lib/names";

/** A person's name is shown in invite mails (the subject included): the rules of every name. */
const PersonNameSchema = displayNameSchema(100, { required: false });
/** A typed person's name, trimmed; "" when none. Throws a field error for a name we refuse. */
export const parsePersonName = (name: string) => parseOrThrow(PersonNameSchema, name, "name");

export type User = typeof users.$inferSelect;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** argon2id through Bun.password (NFR-1.2). */
export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });
export const verifyPassword = (password: string, hash: string) => Bun.password.verify(password, hash);

export async function createUser(
  db: Db,
  input: { email: string; password?: string; name?: string; verified: boolean },
  now: number,
): Promise<User> {
  const email = parseOrThrow(EmailSchema, input.email, "email");
  const name = parsePersonName(input.name ?? "");
  const passwordHash = input.password !== undefined ? await hashPassword(parseOrThrow(PasswordSchema, input.password, "password")) : null;
  if (findUserByEmail(db, email)) throw conflict("email_taken", "An account with this email already exists", "email");
  const user: User = {
    id: newId(),
    email,
    name: name || null,
    passwordHash,
    emailVerifiedAt: input.verified ? now : null,
    createdAt: now,
  };
  db.insert(users).values(user).run();
  return user;
}

export function findUserByEmail(db: Db, email: string): User | undefined {
  return db.select().from(users).where(eq(users.email, normalizeEmail(email))).get();
}

export function getUser(db: Db, id: string): User | undefined {
  return db.select().from(users).where(eq(users.id, id)).get();
}

