import { eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { sessions, users } from "../db/schema";
import { randomToken, sha256Hex, timingSafeEqual } from "../lib/tokens";
import type { User } from "./users";

/**
 * Sessions as plain functions (Lucia's pattern): token = `${id}.${secret}`, only SHA-256(secret)
 * is stored, compared in constant time. Sliding expiry: 30 days, extended at most once an hour.
 */
export type Session = typeof sessions.$inferSelect;

export const SESSION_TTL_MS = 30 * 24 * 3600_000;
export const EXTEND_AFTER_MS = 3600_000;
export const SESSION_COOKIE = "litekpi_session";

export function createSession(db: Db, userId: string, now: number): { token: string; session: Session } {
  const { id, secret, token } = newSessionToken();
  const session: Session = { id, userId, secretHash: sha256Hex(secret), createdAt: now, expiresAt: now + SESSION_TTL_MS };
  db.insert(sessions).values(session).run();
  return { token, session };
}

/** A new `${id}.${secret}` pair; pending registrations use the same shape, so the cookies look alike. */
export function newSessionToken(): { id: string; secret: string; token: string } {
  const id = randomToken(15);
  const secret = randomToken(20);
  return { id, secret, token: `${id}.${secret}` };
}

/** The id and secret of a cookie token, or null when it cannot be one of ours. */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  const [id, secret, extra] = token.split(".");
  if (!id || !secret || extra !== undefined || id.length > 64 || secret.length > 64) return null;
  return { id, secret };
}

/** The session and user a cookie token names, or null; extends the expiry when due. */
export function validateSessionToken(db: Db, token: string, now: number): { session: Session; user: User } | null {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const { id, secret } = parsed;
  const row = db.select({ session: sessions, user: users }).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.id, id)).get();
  if (!row || !timingSafeEqual(row.session.secretHash, sha256Hex(secret))) return null;
  if (row.session.expiresAt <= now) {
    db.delete(sessions).where(eq(sessions.id, id)).run();
    return null;
  }
  if (row.session.expiresAt - now < SESSION_TTL_MS - EXTEND_AFTER_MS) {
    row.session.expiresAt = now + SESSION_TTL_MS;
    db.update(sessions).set({ expiresAt: row.session.expiresAt }).where(eq(sessions.id, id)).run();
  }
  return row;
}

export function invalidateSession(db: Db, sessionId: string) {
  db.delete(sessions).where(eq(sessions.id, sessionId)).run();
}

/** Ends every session of a user (password reset, account changes). */
export function invalidateUserSessions(db: Db, userId: string) {
  db.delete(sessions).where(eq(sessions.userId, userId)).run();
}

export function deleteExpiredSessions(db: Db, now: number): number {
  return db.$client.query("DELETE FROM sessions WHERE expires_at < ?").run(now).changes;
}
