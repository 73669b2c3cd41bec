import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/connection";
import { revenueIntegrations } from "../db/schema";
import { badRequest, notFound } from "../lib/errors";
import { open, seal } from "../lib/secret-box";
import { isProviderKey, PROVIDERS, type ProviderKey } from "./providers";

/**
 * A product's payment-provider integrations: the signing secret per provider, sealed at rest
 * (AES-256-GCM keyed from SECRET) and shown only as its last 4 characters.
 */
const PURPOSE = "revenue-webhook-secret";

export type Integration = { provider: ProviderKey; label: string; secretLast4: string; createdAt: number; updatedAt: number; lastReceivedAt: number | null };

export function parseProvider(input: string): ProviderKey {
  const p = input.trim().toLowerCase().replace(/[\s_-]/g, "");
  if (!isProviderKey(p)) throw badRequest("invalid_input", `provider is one of ${Object.keys(PROVIDERS).join(", ")}`, "provider");
  return p;
}

export function setIntegration(db: Db, serverSecret: string, productId: string, provider: ProviderKey, signingSecret: string, now: number): Integration {
  const secret = signingSecret.trim();
  if (secret.length < 8 || secret.length > 500 || /[\s\u0000-\u001f]/.test(secret)) throw badRequest("invalid_input", "Paste the signing secret as the provider shows it (8–500 characters, no spaces)", "secret");
  const values = { secretSealed: seal(serverSecret, PURPOSE, secret), secretLast4: secret.slice(-4), updatedAt: now };
  db.insert(revenueIntegrations)
    .values({ productId, provider, createdAt: now, ...values })
    .onConflictDoUpdate({ target: [revenueIntegrations.productId, revenueIntegrations.provider], set: values })
    .run();
  return listIntegrations(db, productId).find((i) => i.provider === provider)!;
}

export function removeIntegration(db: Db, productId: string, provider: ProviderKey): void {
  const { changes } = db.$client.prepare("DELETE FROM revenue_integrations WHERE product_id = ? AND provider = ?").run(productId, provider);
  if (changes === 0) throw notFound(`No ${PROVIDERS[provider].label} integration`);
}

export function listIntegrations(db: Db, productId: string): Integration[] {
  return db
    .select()
    .from(revenueIntegrations)
    .where(eq(revenueIntegrations.productId, productId))
    .orderBy(asc(revenueIntegrations.provider))
    .all()
    .map((r) => ({ provider: r.provider as ProviderKey, label: PROVIDERS[r.provider as ProviderKey]?.label ?? r.provider, secretLast4: r.secretLast4, createdAt: r.createdAt, updatedAt: r.updatedAt, lastReceivedAt: r.lastReceivedAt }));
}

/** The signing secret in clear, for verifying a delivery; undefined when none is set. */
export function signingSecret(db: Db, serverSecret: string, productId: string, provider: ProviderKey): string | undefined {
  const row = db
    .select({ sealed: revenueIntegrations.secretSealed })
    .from(revenueIntegrations)
    .where(and(eq(revenueIntegrations.productId, productId), eq(revenueIntegrations.provider, provider)))
    .get();
  return row ? open(serverSecret, PURPOSE, row.sealed) : undefined;
}

export function markReceived(db: Db, productId: string, provider: ProviderKey, now: number) {
  db.$client.prepare("UPDATE revenue_integrations SET last_received_at = ? WHERE product_id = ? AND provider = ?").run(now, productId, provider);
}

/** The URL to paste into the provider's dashboard. */
export const webhookUrl = (baseUrl: string, provider: ProviderKey, productId: string) => `${baseUrl.replace(/\/$/, "")}/api/v1/hooks/${provider}/${productId}`;

/**
 * "Send test event": a sample purchase signed the provider's way with the saved secret, run
 * through the same verify and parse the webhook endpoint uses — nothing is stored. Shows that
 * the saved secret is the one being checked and what a purchase turns into.
 */
export function testIntegration(db: Db, serverSecret: string, productId: string, provider: ProviderKey, now: number): { ok: true; summary: string } | { ok: false; message: string } {
  const secret = signingSecret(db, serverSecret, productId, provider);
  if (!secret) return { ok: false, message: `Save the ${PROVIDERS[provider].label} signing secret first.` };
  const p = PROVIDERS[provider];
  try {
    const req = { ...p.sample(secret, now), now };
    p.verify(req, secret);
    const events = p.parse(req).events;
    const e = events[0];
    return { ok: true, summary: e ? `Signature verified; read as a ${e.kind} of ${(e.amountMinor / 100).toFixed(2)} ${e.currency} (a test: not stored).` : "Signature verified (a test: not stored)." };
  } catch (err) {
    return { ok: false, message: err instanceof Error ? err.message : String(err) };
  }
}
