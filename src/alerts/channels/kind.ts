import type * as v from "valibot";
import type { Deps } from "../../deps";
import type { OutboundAllow } from "../../outbound/allow";
import type { Resolver } from "../../outbound/guard";
import type { AlertPayload } from "../payload";
import { DeliveryError, httpFailure } from "../../webhooks/send";

/** The one delivery error and retry rule of src/webhooks/send.ts (re-exported for the channel modules). */
export { DeliveryError, httpFailure };

/**
 * A notification channel kind (a registry entry; one module each, listed in ./index.ts).
 * `prepare` turns a checked input into what is stored (URLs go through the outbound guard here,
 * at save; `deliver` goes through it again, at send). `deliver` resolves when the other side took
 * the notification (with its HTTP status and answer, for the delivery log) and throws a
 * DeliveryError otherwise.
 */
export type StoredChannel = { id: string; productId: string; type: string; config: Record<string, unknown>; secretSealed: string | null };

export type PrepareContext = { field: string; allow: OutboundAllow; resolve?: Resolver; secret: string; existing: StoredChannel[] };
export type Prepared = { config: Record<string, unknown>; secretSealed: string | null; shownSecret?: string; keepId?: string };

export type Delivery = { notificationId: string; kind: "started" | "resolved"; payload: AlertPayload; channel: StoredChannel; attempt: number };

export type ChannelKind<I = any> = {
  type: string;
  label: string;
  schema: v.GenericSchema<unknown, I>;
  prepare(input: I, ctx: PrepareContext): Promise<Prepared>;
  /** What the API shows of a stored channel (secrets never; a Slack URL masked). */
  present(ch: StoredChannel, secret: string): Record<string, unknown>;
  deliver(deps: Deps, d: Delivery): Promise<{ statusCode?: number; response?: string }>;
};
