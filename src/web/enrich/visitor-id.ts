import type { Database } from "bun:sqlite";
import { randomToken } from "../../lib/tokens";

/**
 * Visitor ids (DESIGN.md "Web analytics"). Privacy mode: a keyed hash of (daily salt, product,
 * IP, User-Agent). The salt is one random secret per UTC day in web_salts; the first request
 * (or the job) of a new UTC day writes the new salt and deletes every older one in the same
 * transaction, so yesterday's ids can never be computed again and a visitor cannot be followed
 * past a day. Attribution mode: a hash of the id the script keeps in localStorage (the raw id is
 * kept on the visit as `persisted_id`, for erasure and revenue attribution).
 *
 * Ids are 53-bit integers (exact in JavaScript, stored as SQLite INTEGER): with a million
 * visitors a day, the chance of any collision within one product's day is about 6 in 100,000.
 */
const DAY_MS = 86_400_000;
export const utcDay = (ms: number) => Math.floor(ms / DAY_MS);

export type SaltKeeper = { saltFor(nowMs: number): string; rotate(nowMs: number): void };

export function createSaltKeeper(sqlite: Database): SaltKeeper {
  let cached: { day: number; salt: string } | null = null;
  const get = sqlite.prepare("SELECT salt FROM web_salts WHERE day = ?");
  const insert = sqlite.prepare("INSERT INTO web_salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING");
  const dropOld = sqlite.prepare("DELETE FROM web_salts WHERE day < ?");
  const rotate = (nowMs: number) => {
    const day = utcDay(nowMs);
    const salt = sqlite.transaction(() => {
      insert.run(day, randomToken(32));
      dropOld.run(day);
      return (get.get(day) as { salt: string }).salt;
    }).immediate();
    cached = { day, salt };
  };
  return {
    saltFor(nowMs) {
      const day = utcDay(nowMs);
      if (cached?.day !== day) rotate(nowMs);
      return cached!.salt;
    },
    rotate,
  };
}

/**
 * The first 53 bits of SHA-256 of the parts, each followed by a NUL, as a non-negative integer.
 * One call over the joined string (the same bytes as hashing part by part, so ids stay the same):
 * measured 1.3 µs against 5.4 µs for an incremental hasher with two updates per part.
 */
export function hash53(...parts: string[]): number {
  const d = Bun.SHA256.hash(parts.join("\u0000") + "\u0000") as Uint8Array;
  // Bytes read directly: `d.buffer` for a DataView made Bun allocate an ArrayBuffer per call.
  const hi = ((d[0]! << 24) | (d[1]! << 16) | (d[2]! << 8) | d[3]!) & 0x1fffff;
  const lo = ((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) >>> 0;
  return hi * 2 ** 32 + lo;
}

export const privacyVisitorId = (salt: string, productId: string, ip: string, ua: string) => hash53(salt, productId, ip, ua);
export const persistedVisitorId = (productId: string, persistedId: string) => hash53("persisted", productId, persistedId);
/** What a persisted id may be: what the script makes (random, URL-safe), up to 64 characters. */
export const PERSISTED_ID = /^[A-Za-z0-9_-]{8,64}$/;
