/**
 * CIDR ranges for the IP exclusions of a site's settings ("203.0.113.0/24", "2001:db8::/32", or a
 * single address). Parsed to bytes once per configuration; matching compares prefix bits.
 */
export type Cidr = { bytes: Uint8Array; bits: number };

export function parseIp(text: string): Uint8Array | null {
  const s = text.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (s.includes(".") && !s.includes(":")) return parseV4(s);
  if (!s.includes(":")) return null;
  // An IPv4-mapped IPv6 address (::ffff:1.2.3.4) is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(s);
  if (mapped) return parseV4(mapped[1]!);
  return parseV6(s);
}

function parseV4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]!)) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | null {
  let tail: number[] = [];
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = parseV4(v4[1]!);
    if (!b) return null;
    tail = [(b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!];
    text = s.slice(0, -v4[1]!.length) + "0:0";
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const group = (p: string) => (p === "" ? [] : p.split(":"));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return null;
  const words = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  if (words.length !== 8) return null;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(words[i]!)) return null;
    const n = parseInt(words[i]!, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  }
  if (tail.length) {
    out[12] = tail[0]! >> 8;
    out[13] = tail[0]! & 255;
    out[14] = tail[1]! >> 8;
    out[15] = tail[1]! & 255;
  }
  return out;
}

/** "10.0.0.0/8" → range; null when it is not a CIDR or an address (the settings form says so). */
export function parseCidr(text: string): Cidr | null {
  const [addr, prefix, extra] = text.trim().split("/");
  if (extra !== undefined || !addr) return null;
  const bytes = parseIp(addr);
  if (!bytes) return null;
  const max = bytes.length * 8;
  if (prefix === undefined) return { bytes, bits: max };
  if (!/^\d{1,3}$/.test(prefix)) return null;
  const bits = Number(prefix);
  return bits <= max ? { bytes, bits } : null;
}

export function cidrContains(c: Cidr, ip: Uint8Array): boolean {
  if (c.bytes.length !== ip.length) return false;
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((c.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}
