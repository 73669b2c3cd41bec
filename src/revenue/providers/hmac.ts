import { createHmac, timingSafeEqual } from "node:crypto";
import { AppError } from "../../lib/errors";
import { minorDigits } from "../currency";

/** HMAC-SHA256 of the raw bytes, and a constant-time comparison (a timing leak would let a forger guess byte by byte). */
export const hmacSha256 = (key: string | Buffer, data: Uint8Array | string) => createHmac("sha256", key).update(data).digest();

export function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export const badSignature = (message: string) => new AppError(400, "invalid_signature", message);

/** The body as JSON after the signature checked out; a signed body that is not JSON is still refused. */
export function jsonOf(raw: Uint8Array): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new AppError(400, "invalid_json", "The webhook body is not valid JSON");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new AppError(400, "invalid_json", "The webhook body is not a JSON object");
  return body as Record<string, unknown>;
}

/** Safe reads of provider JSON (read as unknown, never trusted to have a shape). */
export const obj = (x: unknown): Record<string, unknown> => (x && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {});
export const str = (x: unknown): string | null => (typeof x === "string" && x.length > 0 ? x : typeof x === "number" ? String(x) : null);
export const int = (x: unknown): number => (typeof x === "number" && Number.isFinite(x) ? Math.round(x) : 0);
export const upper = (x: unknown): string => (typeof x === "string" ? x.toUpperCase() : "");

/** `litekpi_visitor_id` from a metadata-like object (the key the install page tells people to pass). */
export const visitorOf = (metadata: unknown): string | null => str(obj(metadata).litekpi_visitor_id);

/** "49.00" (Shopify's decimal strings) → 4900 minor units for a 2-decimal currency. */
export function decimalToMinor(amount: unknown, currency: string): number {
  const s = typeof amount === "number" ? amount.toFixed(minorDigits(currency)) : typeof amount === "string" ? amount.trim() : "0";
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return 0;
  const digits = minorDigits(currency);
  const frac = (m[3] ?? "").padEnd(digits, "0").slice(0, digits);
  const n = Number(m[2]!) * 10 ** digits + (digits ? Number(frac) : 0);
  return m[1] ? -n : n;
}

export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
