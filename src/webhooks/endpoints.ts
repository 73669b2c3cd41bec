import { and, desc, eq } from "drizzle-orm";
import * as v from "valibot";
import type { Db } from "../db/connection";
import { webhookEndpoints } from "../db/schema";
import { badRequest, conflict, notFound } from "../lib/errors";
import { open, seal } from "../lib/secret-box";
import { newId } from "../lib/tokens";
import { checkOutboundUrl, type Resolver } from "../outbound/guard";
import type { OutboundAllow } from "../outbound/allow";
import { EVENT_TYPE_NAMES } from "./event-types";
import { maskSecret, newWebhookSecret } from "./signer";
import { looksMasked, maskUrl, sameMaskedUrl } from "../outbound/mask";

/**
 * Product webhook endpoints (control plane, written with deps.db): a URL checked by THE outbound
 * guard at save (and again at every send), the event types it takes, a signing secret shown once
 * at creation and at each rotation and kept sealed. A rotated-out secret keeps signing next to the
 * new one for ROTATION_OVERLAP_MS, so a receiver can deploy the new secret without a gap.
 */
export const SECRET_PURPOSE = "product-webhook-secret";
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;
export const MAX_ENDPOINTS_PER_PRODUCT = 20;

export const WebhookInputSchema = v.strictObject(
  {
    url: v.pipe(v.string("url is the receiver's address"), v.maxLength(2000, "url is at most 2000 characters")),
    event_types: v.pipe(
      v.array(v.picklist(EVENT_TYPE_NAMES, `an event type is one of ${EVENT_TYPE_NAMES.join(", ")}`), "event_types is a list of event types"),
      v.minLength(1, "pick at least one event type"),
      v.transform((list) => [...new Set(list)]),
    ),
    description: v.optional(v.pipe(v.string("description is text"), v.trim(), v.maxLength(200, "description is at most 200 characters"))),
    enabled: v.optional(v.boolean("enabled is true or false")),
  },
  "A webhook is { url, event_types, description?, enabled? } and nothing else",
);
export type WebhookInput = v.InferOutput<typeof WebhookInputSchema>;

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

export type SaveContext = { allow: OutboundAllow; resolve?: Resolver; secret: string; now: number; userId?: string | null };

export function parseWebhookInput(input: unknown, partial: boolean): Partial<WebhookInput> {
  if (!input || typeof input !== "object" || Array.isArray(input)) throw badRequest("invalid_webhook", "A webhook is a JSON object", "body");
  const schema = partial ? v.partial(WebhookInputSchema) : WebhookInputSchema;
  const r = v.safeParse(schema, input);
  if (r.success) return r.output;
  const issue = r.issues[0]!;
  throw badRequest("invalid_webhook", issue.message, issue.path?.map((p) => String(p.key)).join(".") || "body");
}

export function presentEndpoint(row: EndpointRow, masterSecret: string, shownSecret?: string) {
  return {
    id: row.id,
    // A token in the URL (user:password@, a query value) is a credential: shown masked, like the secret.
    url: maskUrl(row.url),
    description: row.description,
    event_types: JSON.parse(row.eventTypes) as string[],
    enabled: row.enabled === 1,
    disabled_reason: row.disabledReason,
    // The whole secret only in the answer that created or rotated it; masked afterwards.
    secret: shownSecret ?? maskedSecret(row, masterSecret),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

/** The masked secret; one sealed under another SECRET than the server's now cannot be read (rotate to get a new one). */
function maskedSecret(row: EndpointRow, masterSecret: string): string {
  try {
    return maskSecret(open(masterSecret, SECRET_PURPOSE, row.secretSealed));
  } catch {
    return "whsec_… (unreadable: rotate it)";
  }
}

export const listEndpoints = (db: Db, productId: string) =>
  db.select().from(webhookEndpoints).where(eq(webhookEndpoints.productId, productId)).orderBy(desc(webhookEndpoints.createdAt)).all();

export const productOfEndpoint = (db: Db, id: string) => db.select({ productId: webhookEndpoints.productId }).from(webhookEndpoints).where(eq(webhookEndpoints.id, id)).get()?.productId;

export function getEndpoint(db: Db, productId: string, id: string): EndpointRow {
  const row = db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.productId, productId), eq(webhookEndpoints.id, id))).get();
  if (!row) throw notFound("No such webhook");
  return row;
}

export async function createEndpoint(db: Db, productId: string, raw: unknown, ctx: SaveContext): Promise<{ row: EndpointRow; secret: string }> {
  const input = parseWebhookInput(raw, false) as WebhookInput;
  const { url } = await checkOutboundUrl(input.url, { allow: ctx.allow, resolve: ctx.resolve, field: "url" });
  if (listEndpoints(db, productId).length >= MAX_ENDPOINTS_PER_PRODUCT) throw conflict("webhook_limit", `At most ${MAX_ENDPOINTS_PER_PRODUCT} webhooks per product`, "url");
  const secret = newWebhookSecret();
  const row = db
    .insert(webhookEndpoints)
    .values({
      id: newId(),
      productId,
      url: url.href,
      description: input.description ?? "",
      eventTypes: JSON.stringify(input.event_types),
      secretSealed: seal(ctx.secret, SECRET_PURPOSE, secret),
      enabled: input.enabled === false ? 0 : 1,
      createdBy: ctx.userId ?? null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    })
    .returning()
    .get();
  return { row, secret };
}

/** PATCH: the given fields replace the stored ones. Enabling again clears a server-side switch-off and its failure count. */
export async function updateEndpoint(db: Db, productId: string, id: string, raw: unknown, ctx: SaveContext): Promise<EndpointRow> {
  const before = getEndpoint(db, productId, id);
  const patch = parseWebhookInput(raw, true);
  const set: Partial<EndpointRow> = { updatedAt: ctx.now };
  // The URL as GET showed it (masked) means "keep it", so a GET → PATCH round trip changes nothing.
  if (patch.url !== undefined && !(looksMasked(patch.url) && sameMaskedUrl(patch.url, before.url))) set.url = (await checkOutboundUrl(patch.url, { allow: ctx.allow, resolve: ctx.resolve, field: "url" })).url.href;
  if (patch.event_types !== undefined) set.eventTypes = JSON.stringify(patch.event_types);
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.enabled !== undefined) {
    set.enabled = patch.enabled ? 1 : 0;
    set.disabledReason = null;
    if (patch.enabled && before.enabled === 0) Object.assign(set, { consecutiveFailures: 0, failingSince: null });
  }
  return db.update(webhookEndpoints).set(set).where(and(eq(webhookEndpoints.productId, productId), eq(webhookEndpoints.id, id))).returning().get()!;
}

export function deleteEndpoint(db: Db, productId: string, id: string) {
  const { changes } = db.$client.prepare("DELETE FROM webhooks WHERE product_id = ? AND id = ?").run(productId, id);
  if (changes === 0) throw notFound("No such webhook");
}

/** A new secret, shown once; the old one keeps signing for ROTATION_OVERLAP_MS. */
export function rotateSecret(db: Db, productId: string, id: string, ctx: SaveContext): { row: EndpointRow; secret: string } {
  const before = getEndpoint(db, productId, id);
  const secret = newWebhookSecret();
  const row = db
    .update(webhookEndpoints)
    .set({ secretSealed: seal(ctx.secret, SECRET_PURPOSE, secret), previousSecretSealed: before.secretSealed, previousExpiresAt: ctx.now + ROTATION_OVERLAP_MS, updatedAt: ctx.now })
    .where(eq(webhookEndpoints.id, id))
    .returning()
    .get()!;
  return { row, secret };
}

/** The secrets that sign a message now: the current one, and the previous one during its overlap. */
export function signingSecrets(row: EndpointRow, masterSecret: string, now: number): string[] {
  const secrets = [open(masterSecret, SECRET_PURPOSE, row.secretSealed)];
  if (row.previousSecretSealed && (row.previousExpiresAt ?? 0) > now) secrets.push(open(masterSecret, SECRET_PURPOSE, row.previousSecretSealed));
  return secrets;
}
