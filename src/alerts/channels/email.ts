import * as v from "valibot";
import { EmailSchema } from "../../lib/validate";
import { alertEmail } from "../../../views/emails/alert";
import { DeliveryError, type ChannelKind } from "./kind";

/**
 * Mail through THE mailer. `digest: "hourly" | "daily"` (seed 003 FR-3) collects the channel's
 * notifications and sends one mail per period (src/alerts/digest.ts); "off" (default) mails each.
 */
export const DIGESTS = ["off", "hourly", "daily"] as const;
export type Digest = (typeof DIGESTS)[number];

export const email: ChannelKind<{ type: "email"; to: string[]; digest?: Digest }> = {
  type: "email",
  label: "Email",
  schema: v.strictObject({
    type: v.literal("email"),
    to: v.pipe(
      v.array(EmailSchema, "to is a list of email addresses"),
      v.minLength(1, "give at least one address"),
      v.maxLength(20, "at most 20 addresses"),
      v.transform((list) => [...new Set(list)]),
    ),
    digest: v.optional(v.picklist(DIGESTS, "digest is off, hourly or daily")),
  }),
  prepare: async (input) => ({ config: { to: input.to, digest: input.digest ?? "off" }, secretSealed: null }),
  present: (ch) => ({ id: ch.id, type: "email", to: ch.config.to, digest: ch.config.digest }),
  async deliver(deps, d) {
    try {
      await deps.mailer.send(await alertEmail(d.channel.config.to as string[], d.payload, deps.config.baseUrl));
      return {};
    } catch (err) {
      throw mailFailure(err);
    }
  },
};

/** A mail that did not go: retried (SMTP trouble passes), with the transport's reason in the log. */
export const mailFailure = (err: unknown) =>
  new DeliveryError(err instanceof Error ? `${err.message}${err.cause ? `: ${String(err.cause)}` : ""}` : String(err), false, undefined, { cause: err });
