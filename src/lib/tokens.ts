import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** Random, URL-safe string from `bytes` bytes of CSPRNG output. */
export function randomToken(bytes = 20): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return encodeBase32LowerCaseNoPadding(buf);
}

/** Opaque ids: 16 random bytes. */
export const newId = () => randomToken(16);

/** Native SHA-256 (on the ingestion hot path for every API key check). */
export function sha256Hex(input: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(input).digest("hex");
}

/** Constant-time comparison of two equal-length strings. */
export function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
