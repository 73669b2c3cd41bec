import * as v from "valibot";
import { inboxNotifications } from "../../db/schema";
import { listMembers } from "../../teams/memberships";
import { newId } from "../../lib/tokens";
import { summary } from "../payload";
import type { ChannelKind } from "./kind";

/**
 * In-app: every member of the product gets the notification in their bell (header) and on the
 * notifications page, unread until they open it. Written at delivery, so members who join later
 * see only what came after; the unique index makes a repeated delivery a no-op.
 */
export const inApp: ChannelKind<{ type: "in_app" }> = {
  type: "in_app",
  label: "In-app",
  schema: v.strictObject({ type: v.literal("in_app") }),
  prepare: async () => ({ config: {}, secretSealed: null }),
  present: (ch) => ({ id: ch.id, type: "in_app" }),
  async deliver(deps, d) {
    const { title, line } = summary(d.payload);
    const now = deps.clock.now();
    const rows = listMembers(deps.db, d.channel.productId).map((m) => ({
      id: newId(),
      productId: d.channel.productId,
      userId: m.userId,
      notificationId: d.notificationId,
      title,
      body: line,
      url: d.payload.url,
      createdAt: now,
      readAt: null,
    }));
    if (rows.length) deps.db.insert(inboxNotifications).values(rows).onConflictDoNothing().run();
    return {};
  },
};
