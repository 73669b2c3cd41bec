import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/connection";
import { inboxNotifications, memberships, products } from "../db/schema";
import { notFound } from "../lib/errors";

/**
 * A user's in-app notifications (the bell), across the products they are still a member of:
 * leaving a product takes its notifications out of the bell.
 */
const visible = (userId: string) =>
  and(eq(inboxNotifications.userId, userId), sql`EXISTS (SELECT 1 FROM ${memberships} m WHERE m.product_id = ${inboxNotifications.productId} AND m.user_id = ${userId})`);

export function unreadCount(db: Db, userId: string): number {
  return db.select({ n: sql<number>`count(*)` }).from(inboxNotifications).where(and(visible(userId), isNull(inboxNotifications.readAt))).get()!.n;
}

export function listInbox(db: Db, userId: string, limit = 100) {
  return db
    .select({ n: inboxNotifications, productName: products.name })
    .from(inboxNotifications)
    .innerJoin(products, eq(products.id, inboxNotifications.productId))
    .where(visible(userId))
    .orderBy(desc(inboxNotifications.createdAt))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.n, productName: r.productName }));
}

/** Marks one read and answers where it points (the chart at that moment). */
export function openNotification(db: Db, userId: string, id: string, now: number): string {
  const row = db.select().from(inboxNotifications).where(and(eq(inboxNotifications.id, id), visible(userId))).get();
  if (!row) throw notFound();
  if (row.readAt === null) db.update(inboxNotifications).set({ readAt: now }).where(eq(inboxNotifications.id, id)).run();
  return row.url;
}

export function markAllRead(db: Db, userId: string, now: number): void {
  db.update(inboxNotifications).set({ readAt: now }).where(and(visible(userId), isNull(inboxNotifications.readAt))).run();
}
