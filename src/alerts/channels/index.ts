import type { ChannelKind } from "./kind";
import { email } from "./email";
import { slack } from "./slack";
import { webhook } from "./webhook";
import { inApp } from "./in-app";

/** THE table of notification channel kinds. A new kind is one module and one line here. */
export const CHANNEL_KINDS: ChannelKind[] = [email, slack, webhook, inApp];
const byType = new Map(CHANNEL_KINDS.map((k) => [k.type, k]));
export const channelKind = (type: unknown) => (typeof type === "string" ? byType.get(type) : undefined);
