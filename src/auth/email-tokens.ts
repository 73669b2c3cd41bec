import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/connection";
import { emailTokens, users } from "../db/schema";
import { newId, randomToken, sha256Hex } from "../lib/tokens";
import type { User } from "./users";

/**
 * Tokens mailed to a user (FR-1.2, FR-1.4): random, stored only as SHA-256, single use, expiring.
 * The token itself exists only in the mail. Used and expired rows are kept a week so a second
 * click gets "already used" / "expired" instead of a vague "invalid", then the job removes them.
 */
export type EmailTokenKind = "verify" | "reset";

export const EMAIL_TOKEN_TTL_MS: Record<EmailTokenKind, number> = {
  verify: 24 * 3600_000,
  reset: 3600_000,
};
const KEEP_AFTER_EXPIRY_MS = 7 * 24 * 3600_000;

/** Why a token cannot be used; each gets its own words on the page. */
export type TokenProblem = "invalid" | "used" | "expired";
export type TokenCheck = { ok: true; user: User; tokenId: string } | { ok: false; problem: TokenProblem; user?: User };

/**
 * A new token of `kind` for the user. Earlier unused tokens of the same kind stop working, so
 * only the newest mail's link does (a resend or a second reset request supersedes the first).
 */
export function createEmailToken(db: Db, userId: string, kind: EmailTokenKind, now: number): string {
  const token = randomToken(20);
  db.transaction((tx) => {
    tx.update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.userId, userId), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt)))
      .run();
    tx.insert(emailTokens)
      .values({ id: newId(), tokenHash: sha256Hex(token), kind, userId, createdAt: now, expiresAt: now + EMAIL_TOKEN_TTL_MS[kind] })
      .run();
  });
  return token;
}

/** Looks a token up without using it (the reset page shows its form only for a usable link). */
export function checkEmailToken(db: Db, token: string, kind: EmailTokenKind, now: number): TokenCheck {
  if (!token || token.length > 100) return { ok: false, problem: "invalid" };
  const row = db
    .select({ token: emailTokens, user: users })
    .from(emailTokens)
    .innerJoin(users, eq(users.id, emailTokens.userId))
    .where(and(eq(emailTokens.tokenHash, sha256Hex(token)), eq(emailTokens.kind, kind)))
    .get();
  if (!row) return { ok: false, problem: "invalid" };
  if (row.token.usedAt !== null) return { ok: false, problem: "used", user: row.user };
  if (row.token.expiresAt <= now) return { ok: false, problem: "expired", user: row.user };
  return { ok: true, user: row.user, tokenId: row.token.id };
}

/**
 * Uses a token once: the update only succeeds while the row is unused, so two concurrent clicks
 * cannot both pass. `then` runs in the same transaction (mark verified, set the password…).
 */
export function consumeEmailToken<T>(db: Db, token: string, kind: EmailTokenKind, now: number, then: (tx: Db, user: User) => T): { ok: true; user: User; value: T } | Extract<TokenCheck, { ok: false }> {
  return db.transaction((tx) => {
    const check = checkEmailToken(tx as unknown as Db, token, kind, now);
    if (!check.ok) return check;
    const used = tx
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.id, check.tokenId), isNull(emailTokens.usedAt)))
      .returning({ id: emailTokens.id })
      .get();
    if (!used) return { ok: false as const, problem: "used" as const, user: check.user };
    return { ok: true as const, user: check.user, value: then(tx as unknown as Db, check.user) };
  });
}

/** Every unused token of a kind stops working (after a password reset, all other reset links). */
export function revokeEmailTokens(db: Db, userId: string, kind: EmailTokenKind, now: number) {
  db.update(emailTokens)
    .set({ usedAt: now })
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt)))
    .run();
}

/** For the expiry job: rows a week past their expiry are no longer worth a precise message. */
export function deleteExpiredEmailTokens(db: Db, now: number): number {
  return db.$client.query("DELETE FROM email_tokens WHERE expires_at < ?").run(now - KEEP_AFTER_EXPIRY_MS).changes;
}
