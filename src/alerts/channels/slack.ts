import * as v from "valibot";
import { checkOutboundUrl } from "../../outbound/guard";
import { open, seal } from "../../lib/secret-box";
import { formatValue, summary, type AlertPayload } from "../payload";
import type { ChannelKind, StoredChannel } from "./kind";
import { postJson } from "../../webhooks/send";
import { USER_AGENT } from "../../webhooks/signer";

/**
 * A Slack incoming webhook (https://api.slack.com/messaging/webhooks): a Block Kit message with a
 * `text` fallback for notifications. The URL is itself the credential (anyone holding it can
 * post), so it is kept sealed and shown masked.
 */
export const SLACK_URL_PURPOSE = "alert-slack-url";

export function slackMessage(p: AlertPayload) {
  const { title, line } = summary(p);
  const icon = p.state === "firing" ? ":rotating_light:" : ":white_check_mark:";
  return {
    text: line,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `${p.state === "firing" ? "🚨" : "✅"} ${title}`.slice(0, 150), emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: `${icon} *${escapeMrkdwn(p.alert.name)}* — ${escapeMrkdwn(p.alert.condition)}` } },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: `*State*\n${p.state}` },
          { type: "mrkdwn", text: `*Value*\n${formatValue(p.value)}` },
          { type: "mrkdwn", text: `*Threshold*\n${formatValue(p.threshold)}` },
          { type: "mrkdwn", text: `*At*\n<!date^${Math.floor(Date.parse(p.at) / 1000)}^{date_short_pretty} {time}|${p.at}>` },
        ],
      },
      { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open the chart" }, url: p.url }] },
      { type: "context", elements: [{ type: "mrkdwn", text: `${escapeMrkdwn(p.alert.productName)} · LiteKPI` }] },
    ],
  };
}

// Slack's mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
const escapeMrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** How a Slack URL is shown: its host and last 4 characters (the path is the credential). */
const masked = (ch: Pick<StoredChannel, "config">) => `https://${ch.config.host}/…${ch.config.last4}`;

function opened(secret: string, ch: StoredChannel): string | null {
  try {
    return open(secret, SLACK_URL_PURPOSE, ch.secretSealed!);
  } catch {
    return null; // sealed under another SECRET: it cannot match
  }
}

export const slack: ChannelKind<{ type: "slack"; url: string }> = {
  type: "slack",
  label: "Slack",
  schema: v.strictObject({ type: v.literal("slack"), url: v.pipe(v.string("url is the Slack incoming-webhook URL"), v.maxLength(2000, "url is at most 2000 characters")) }),
  async prepare(input, ctx) {
    // Given back as shown (masked), or again in full: the same channel, its id and delivery log kept.
    const same = ctx.existing.find((c) => c.type === "slack" && c.secretSealed && (input.url === masked(c) || input.url === opened(ctx.secret, c)));
    if (same && input.url === masked(same)) return { config: same.config, secretSealed: same.secretSealed, keepId: same.id };
    const { url } = await checkOutboundUrl(input.url, { allow: ctx.allow, resolve: ctx.resolve, field: `${ctx.field}.url` });
    if (same) return { config: same.config, secretSealed: same.secretSealed, keepId: same.id };
    return { config: { host: url.host, last4: url.href.slice(-4) }, secretSealed: seal(ctx.secret, SLACK_URL_PURPOSE, url.href) };
  },
  present: (ch) => ({ id: ch.id, type: "slack", url: masked(ch) }),
  async deliver(deps, d) {
    const url = open(deps.config.secret, SLACK_URL_PURPOSE, d.channel.secretSealed!);
    return postJson(url, { "Content-Type": "application/json", "User-Agent": USER_AGENT }, JSON.stringify(slackMessage(d.payload)), { allow: deps.config.outboundAllow });
  },
};
