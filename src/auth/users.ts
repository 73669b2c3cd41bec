import { eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { users } from "../db/schema";
import { AppError, conflict } from "../lib/errors";
import { newId } from "../lib/tokens";

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

export const EmailSchema = v.pipe(
  v.string("Email is required"),
  v.trim(),
  v.toLowerCase(),
  v.nonEmpty("Email is required"),
  v.maxLength(254, "Email is too long"),
  v.email("Enter a valid email address, like name@example.com"),
);
export const PasswordSchema = v.pipe(
  v.string("Password is required"),
  v.minLength(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`),
  v.maxLength(MAX_PASSWORD_LENGTH, `Use at most ${MAX_PASSWORD_LENGTH} characters`),
);

export type User = typeof users.$inferSelect;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** argon2id through Bun.password (NFR-1.2). */
export const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: "argon2id" });
export const verifyPassword = (password: string, hash: string) => Bun.password.verify(password, hash);

export function parseOrThrow<T extends v.GenericSchema>(schema: T, input: unknown, field: string): v.InferOutput<T> {
  const r = v.safeParse(schema, input);
  if (!r.success) throw new AppError(400, "invalid_input", r.issues[0]!.message, { field });
  return r.output;
}

export async function createUser(
  db: Db,
  input: { email: string; password?: string; name?: string; verified: boolean },
  now: number,
): Promise<User> {
  const email = parseOrThrow(EmailSchema, input.email, "email");
  const passwordHash = input.password !== undefined ? await hashPassword(parseOrThrow(PasswordSchema, input.password, "password")) : null;
  if (findUserByEmail(db, email)) throw conflict("email_taken", "An account with this email already exists", "email");
  const user: User = {
    id: newId(),
    email,
    name: input.name?.trim() || null,
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

