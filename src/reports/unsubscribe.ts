import { hmac } from "@oslojs/crypto/hmac";
import { SHA256 } from "@oslojs/crypto/sha2";
import { encodeBase64urlNoPadding } from "@oslojs/encoding";
import { timingSafeEqual } from "../lib/tokens";

/**
 * Per-recipient unsubscribe links that work without an account: the recipient id and an HMAC of
 * it under SECRET. Nothing is stored; a removed recipient's link simply stops matching a row.
 * The purpose string keeps these signatures from being valid for any other signed link.
 */
const encoder = new TextEncoder();

export function unsubscribeSignature(secret: string, recipientId: string): string {
  return encodeBase64urlNoPadding(hmac(SHA256, encoder.encode(secret), encoder.encode(`report-unsubscribe:${recipientId}`)));
}

export function unsubscribeUrl(baseUrl: string, secret: string, recipientId: string): string {
  const params = new URLSearchParams({ r: recipientId, s: unsubscribeSignature(secret, recipientId) });
  return `${baseUrl}/reports/unsubscribe?${params}`;
}

export function verifyUnsubscribe(secret: string, recipientId: string, signature: string): boolean {
  if (!recipientId || !signature) return false;
  return timingSafeEqual(unsubscribeSignature(secret, recipientId), signature);
}
