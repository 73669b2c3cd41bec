import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { memberships, users } from "../db/schema";
import { AppError, notFound } from "../lib/errors";
import type { Role } from "../products/products";

export type Member = { userId: string; email: string; name: string | null; role: Role; createdAt: number };

/** Everyone with access to a product: owners first, then by when they joined. */
export function listMembers(db: Db, productId: string): Member[] {
  return db
    .select({ userId: users.id, email: users.email, name: users.name, role: memberships.role, createdAt: memberships.createdAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.productId, productId))
    .orderBy(asc(memberships.createdAt))
    .all()
    .map((m) => ({ ...m, role: m.role as Role }))
    .sort((a, b) => (a.role === b.role ? 0 : a.role === "owner" ? -1 : 1));
}

export function isMember(db: Db, productId: string, userId: string): boolean {
  return !!db.select({ u: memberships.userId }).from(memberships).where(and(eq(memberships.productId, productId), eq(memberships.userId, userId))).get();
}

/**
 * FR-5.5. Nothing is cached: THE access check reads memberships on every request, so the removed
 * member's very next request is a 404. An owner cannot be removed (the product would be orphaned).
 */
export function removeMember(db: Db, productId: string, userId: string): Member {
  const member = listMembers(db, productId).find((m) => m.userId === userId);
  if (!member) throw notFound("No such member");
  if (member.role === "owner") throw new AppError(400, "cannot_remove_owner", "The owner cannot be removed from the product");
  db.delete(memberships).where(and(eq(memberships.productId, productId), eq(memberships.userId, userId))).run();
  return member;
}

/** Adds a member unless they already belong (accepting an invite twice is harmless). */
export function addMember(db: Db, productId: string, userId: string, now: number) {
  db.insert(memberships).values({ productId, userId, role: "member", createdAt: now }).onConflictDoNothing().run();
}
