import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets at rest (webhook signing secrets, provider tokens): AES-256-GCM with a key derived
 * from the server's SECRET by HKDF-SHA256, one derived key per `purpose` so a value sealed for
 * one use cannot be opened as another. Sealed text: `v1.` + base64url(12-byte nonce ‖ ciphertext
 * ‖ 16-byte tag). A random nonce per seal; GCM's 2^32-messages-per-key bound is far away.
 * Changing SECRET makes every sealed value unreadable (open throws), as it should.
 */
const VERSION = "v1.";
const keys = new Map<string, Buffer>();

function keyFor(secret: string, purpose: string): Buffer {
  const id = `${purpose}\u0000${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", secret, "litekpi secret-box", `litekpi/${purpose}`, 32));
    keys.set(id, key);
  }
  return key;
}

export function seal(secret: string, purpose: string, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(secret, purpose), nonce);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return VERSION + Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url");
}

export function open(secret: string, purpose: string, sealed: string): string {
  if (!sealed.startsWith(VERSION)) throw new Error("not a sealed value (unknown version)");
  const raw = Buffer.from(sealed.slice(VERSION.length), "base64url");
  if (raw.length < 28) throw new Error("sealed value is too short");
  const decipher = createDecipheriv("aes-256-gcm", keyFor(secret, purpose), raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(purpose));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
}
