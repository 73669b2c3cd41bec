import { inCidr, parseCidr, type Cidr, type Ip } from "./address";

/**
 * OUTBOUND_ALLOW: comma-separated host names, IP addresses and CIDR ranges that outbound
 * requests may reach even though they are loopback or private (a Slack proxy on the LAN, the
 * tests' loopback receiver). A listed host name is trusted whatever it resolves to; a listed
 * address or range lets any name that resolves into it through.
 */
export type OutboundAllow = { hosts: Set<string>; cidrs: Cidr[] };

export const EMPTY_ALLOW: OutboundAllow = { hosts: new Set(), cidrs: [] };

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/;

/** Parses the list; returns the entries that are neither a host name nor an address/CIDR as problems. */
export function parseOutboundAllow(text: string): { allow: OutboundAllow; problems: string[] } {
  const allow: OutboundAllow = { hosts: new Set(), cidrs: [] };
  const problems: string[] = [];
  for (const raw of text.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    const cidr = parseCidr(entry);
    if (cidr) allow.cidrs.push(cidr);
    else if (!entry.includes("/") && HOST_NAME.test(entry)) allow.hosts.add(entry.replace(/\.$/, ""));
    else problems.push(`"${raw.trim()}" is neither a host name, an IP address nor a CIDR range like 10.0.0.0/8`);
  }
  return { allow, problems };
}

export const hostAllowed = (allow: OutboundAllow, host: string) => allow.hosts.has(host.toLowerCase().replace(/\.$/, ""));
export const addressAllowed = (allow: OutboundAllow, ip: Ip) => allow.cidrs.some((c) => inCidr(ip, c));
