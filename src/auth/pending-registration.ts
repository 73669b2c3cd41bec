import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { pendingRegistrations } from "../db/schema";
import { sha256Hex, timingSafeEqual } from "../lib/tokens";
import { EXTEND_AFTER_MS, newSessionToken, parseSessionToken, SESSION_TTL_MS } from "./session";
import type { User } from "./users";

/**
 * Registering an address that already has an account must look, to the visitor, exactly like
 * registering a new one (issue 13 item 7): a new account is signed in, unverified, and sees
 * "check your inbox" until the link is opened. So a taken address gets a pending registration: a
 * session-like row (same token shape, only SHA-256(secret) stored, constant-time compare) that
 * carries nothing but what the visitor typed. The session middleware turns it into an unverified
 * visitor who reaches what an unverified user reaches and nothing of the existing account.
 *
 * It lives and slides exactly like a session (30 days, extended at most hourly): a shorter life
 * would itself tell the visitor which kind they hold. Expired rows go with the sessions' job.
 */
export type PendingRegistration = typeof pendingRegistrations.$inferSelect;

export function createPendingRegistration(db: Db, input: { email: string; name: string | null }, now: number): { token: string; pending: PendingRegistration } {
  const { id, secret, token } = newSessionToken();
  const pending: PendingRegistration = { id, secretHash: sha256Hex(secret), email: input.email, name: input.name, createdAt: now, expiresAt: now + SESSION_TTL_MS };
  db.insert(pendingRegistrations).values(pending).run();
  return { token, pending };
}

/** The pending registration a cookie token names, or null; extends the expiry when due (as sessions do). */
export function validatePendingRegistrationToken(db: Db, token: string, now: number): PendingRegistration | null {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const row = db.select().from(pendingRegistrations).where(eq(pendingRegistrations.id, parsed.id)).get();
  if (!row || !timingSafeEqual(row.secretHash, sha256Hex(parsed.secret))) return null;
  if (row.expiresAt <= now) {
    invalidatePendingRegistration(db, row.id);
    return null;
  }
  if (row.expiresAt - now < SESSION_TTL_MS - EXTEND_AFTER_MS) {
    row.expiresAt = now + SESSION_TTL_MS;
    db.update(pendingRegistrations).set({ expiresAt: row.expiresAt }).where(eq(pendingRegistrations.id, row.id)).run();
  }
  return row;
}

export function invalidatePendingRegistration(db: Db, id: string) {
  db.delete(pendingRegistrations).where(eq(pendingRegistrations.id, id)).run();
}

export function deleteExpiredPendingRegistrations(db: Db, now: number): number {
  return db.$client.query("DELETE FROM pending_registrations WHERE expires_at < ?").run(now).changes;
}

/**
 * The unverified user a pending registration looks like to pages and views. Its id names no row
 * in users (the prefix cannot be a newId()), so every lookup by user id finds nothing: no
 * products, no memberships, no sessions — the same as a brand-new account.
 */
export function pendingVisitor(pending: PendingRegistration): User {
  return { id: `pending:${pending.id}`, email: pending.email, name: pending.name, passwordHash: null, emailVerifiedAt: null, createdAt: pending.createdAt };
}
