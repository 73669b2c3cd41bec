import { isIP } from "node:net";

/**
 * IP addresses as bytes, CIDR ranges, and the ranges no outbound request of the product may
 * reach (DESIGN.md "Outbound URLs"): loopback, private, link-local (cloud metadata lives at
 * 169.254.169.254), CGNAT, multicast, "this network" and the other special-purpose blocks of
 * the IANA registries that are not globally reachable. IPv4-mapped IPv6 (::ffff:a.b.c.d) and
 * NAT64 (64:ff9b::/96) are judged by the IPv4 address they carry: a socket to ::ffff:127.0.0.1
 * reaches 127.0.0.1.
 */
export type Ip = { family: 4 | 6; bytes: Uint8Array };
export type Cidr = { family: 4 | 6; bytes: Uint8Array; prefix: number; text: string };

export function parseIp(text: string): Ip | null {
  const s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const family = isIP(s);
  if (family === 4) return { family: 4, bytes: Uint8Array.from(s.split(".").map(Number)) };
  if (family === 6) return { family: 6, bytes: ipv6Bytes(s) };
  return null;
}

function ipv6Bytes(s: string): Uint8Array {
  let text = s.split("%")[0]!; // a zone id (fe80::1%eth0) names an interface, not an address
  const out = new Uint8Array(16);
  // A trailing dotted quad (::ffff:127.0.0.1) is the last 32 bits.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = dotted[1]!.split(".").map(Number);
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16);
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16);
    text = text.slice(0, -dotted[1]!.length) + `${hi}:${lo}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

export function parseCidr(text: string): Cidr | null {
  const [addr, bits, extra] = text.trim().split("/");
  if (extra !== undefined || !addr) return null;
  const ip = parseIp(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return null;
  return { ...ip, prefix, text: text.trim() };
}

export function inCidr(ip: Ip, cidr: Cidr): boolean {
  if (ip.family !== cidr.family) return false;
  let bits = cidr.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((ip.bytes[i]! & mask) !== (cidr.bytes[i]! & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped, IPv4-compatible, NAT64), if any. */
export function embeddedIpv4(ip: Ip): Ip | null {
  if (ip.family !== 6) return null;
  const b = ip.bytes;
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = () => ({ family: 4 as const, bytes: b.slice(12, 16) });
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(); // ::ffff:0:0/96
  if (zeros(0, 12) && !zeros(12, 14)) return v4(); // ::a.b.c.d (deprecated, still routed by some stacks)
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return v4(); // 64:ff9b::/96
  return null;
}

const range = (text: string, why: string) => ({ cidr: parseCidr(text)!, why });

/** Not reachable from the product, with the reason shown to whoever saves such a URL. */
export const BLOCKED_RANGES = [
  range("0.0.0.0/8", "“this network” (0.0.0.0/8)"),
  range("10.0.0.0/8", "a private network (10.0.0.0/8)"),
  range("100.64.0.0/10", "carrier-grade NAT (100.64.0.0/10)"),
  range("127.0.0.0/8", "loopback (127.0.0.0/8)"),
  range("169.254.0.0/16", "link-local (169.254.0.0/16, where cloud metadata services answer)"),
  range("172.16.0.0/12", "a private network (172.16.0.0/12)"),
  range("192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)"),
  range("192.168.0.0/16", "a private network (192.168.0.0/16)"),
  range("198.18.0.0/15", "network benchmarking (198.18.0.0/15)"),
  range("224.0.0.0/4", "multicast (224.0.0.0/4)"),
  range("240.0.0.0/4", "reserved (240.0.0.0/4, including broadcast)"),
  range("::/128", "the unspecified address (::)"),
  range("::1/128", "loopback (::1)"),
  range("fc00::/7", "a private network (unique local fc00::/7)"),
  range("fe80::/10", "link-local (fe80::/10)"),
  range("fec0::/10", "site-local (fec0::/10)"),
  range("ff00::/8", "multicast (ff00::/8)"),
  range("100::/64", "discard-only (100::/64)"),
];

/** Why `ip` may not be reached, or null when it is a public address. */
export function blockedReason(ip: Ip): string | null {
  const v4 = embeddedIpv4(ip);
  if (v4) return blockedReason(v4);
  return BLOCKED_RANGES.find((r) => inCidr(ip, r.cidr))?.why ?? null;
}

export const formatIp = (ip: Ip): string =>
  ip.family === 4 ? [...ip.bytes].join(".") : (Array.from({ length: 8 }, (_, i) => ((ip.bytes[i * 2]! << 8) | ip.bytes[i * 2 + 1]!).toString(16)).join(":"));
