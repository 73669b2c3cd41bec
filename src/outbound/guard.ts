import { lookup } from "node:dns/promises";
import { AppError } from "../lib/errors";
import { blockedReason, embeddedIpv4, formatIp, parseIp, type Ip } from "./address";
import { addressAllowed, hostAllowed, type OutboundAllow } from "./allow";
import { looksMasked } from "./mask";

/**
 * THE outbound-URL guard (DESIGN.md "Outbound URLs"): every request the product makes to a URL a
 * user typed (Slack, webhooks, future connectors) goes through `fetchOutbound`, and every such
 * URL is checked with `checkOutboundUrl` when it is saved. A URL is refused, after DNS
 * resolution, when any address its host resolves to is loopback, private, link-local, CGNAT,
 * multicast or metadata (src/outbound/address.ts), unless OUTBOUND_ALLOW lists the host or a
 * range holding the address. The request then goes to the very address that was checked (the
 * URL's host replaced by it, `Host` and TLS SNI kept), so a DNS answer that changes between check
 * and connect (DNS rebinding) cannot redirect it. Redirects are never followed.
 */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;
export type OutboundOptions = { allow: OutboundAllow; resolve?: Resolver; field?: string };
export type CheckedTarget = { url: URL; address: Ip };

const DNS_TIMEOUT_MS = 5_000;
export const OUTBOUND_TIMEOUT_MS = 10_000;
/** What is kept of an answer's body (for the delivery log); the rest is not read. */
export const OUTBOUND_MAX_BYTES = 64 * 1024;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export const refused = (message: string, field = "url") => new AppError(400, "outbound_url_refused", message, { field });

export async function checkOutboundUrl(raw: string, opts: OutboundOptions): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused("Enter an absolute URL like https://hooks.example.com/…", opts.field);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw refused("Only http:// and https:// URLs can be called", opts.field);
  if (looksMasked(raw)) throw refused("This is the masked URL LiteKPI shows (… stands for hidden parts): enter the full URL", opts.field);
  if (url.username || url.password) throw refused("Put credentials in the path or a header, not in the URL (user:password@ is not sent)", opts.field);
  // The WHATWG parser has already turned 0x7f.1, 2130706433 and friends into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const literal = parseIp(host);
  const trustedName = !literal && hostAllowed(opts.allow, host);
  const addresses = literal ? [literal] : await resolveHost(host, opts);
  for (const ip of addresses) {
    if (trustedName || addressAllowed(opts.allow, ip) || (embeddedIpv4(ip) && addressAllowed(opts.allow, embeddedIpv4(ip)!))) continue;
    const why = blockedReason(ip);
    if (why) {
      const via = literal ? "" : ` (${host} resolves to ${formatIp(ip)})`;
      throw refused(`This URL points at ${why}${via}, which LiteKPI does not call. An administrator can allow it with OUTBOUND_ALLOW.`, opts.field);
    }
  }
  return { url, address: addresses[0]! };
}

async function resolveHost(host: string, opts: OutboundOptions): Promise<Ip[]> {
  let answers: { address: string }[];
  try {
    answers = await withTimeout((opts.resolve ?? systemResolver)(host), DNS_TIMEOUT_MS, `looking up ${host} took longer than ${DNS_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    throw new AppError(400, "outbound_url_refused", `The host ${host} could not be resolved (${err instanceof Error ? err.message : String(err)})`, { field: opts.field ?? "url", cause: err });
  }
  const ips = answers.map((a) => parseIp(a.address)).filter((ip): ip is Ip => ip !== null);
  if (!ips.length) throw refused(`The host ${host} has no address`, opts.field);
  return ips;
}

export type OutboundResponse = { status: number; headers: Headers; body: string; truncated: boolean };

/** A failed call: `permanent` when retrying cannot help (the URL is refused, a redirect). */
export class OutboundError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly status?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * POSTs (or whatever `init.method` says) to a checked URL: re-checked here at send (the allow
 * list or DNS may have changed since it was saved), connected to the checked address, no
 * redirects, a timeout for the whole exchange, and at most OUTBOUND_MAX_BYTES of the body read.
 * A 3xx answer is an OutboundError (permanent): following it would skip the guard.
 */
export async function fetchOutbound(
  raw: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  opts: OutboundOptions & { timeoutMs?: number; maxBytes?: number },
): Promise<OutboundResponse> {
  let target: CheckedTarget;
  try {
    target = await checkOutboundUrl(raw, opts);
  } catch (err) {
    throw new OutboundError(err instanceof Error ? err.message : String(err), true, undefined, { cause: err });
  }
  const { url, address } = target;
  const pinned = new URL(url);
  pinned.hostname = address.family === 6 ? `[${formatIp(address)}]` : formatIp(address);
  const named = !parseIp(url.hostname.replace(/^\[|\]$/g, ""));
  const timeoutMs = opts.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  let res: Response;
  try {
    res = await fetch(pinned, {
      method: init.method ?? "POST",
      headers: { ...init.headers, Host: url.host },
      body: init.body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
      // Bun checks the certificate against serverName, so pinning the address keeps TLS honest.
      ...(named && url.protocol === "https:" ? { tls: { serverName: url.hostname } } : {}),
    } as RequestInit);
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new OutboundError(timedOut ? `No answer within ${timeoutMs / 1000} s` : `Could not connect: ${err instanceof Error ? err.message : String(err)}`, false, undefined, { cause: err });
  }
  const { body, truncated } = await readCapped(res, opts.maxBytes ?? OUTBOUND_MAX_BYTES);
  if (res.status >= 300 && res.status < 400) {
    throw new OutboundError(`Answered ${res.status} (a redirect${res.headers.get("location") ? ` to ${res.headers.get("location")}` : ""}); redirects are not followed`, true, res.status);
  }
  return { status: res.status, headers: res.headers, body, truncated };
}

async function readCapped(res: Response, maxBytes: number): Promise<{ body: string; truncated: boolean }> {
  if (!res.body) return { body: "", truncated: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      chunks.push(value.length > room ? value.subarray(0, room) : value);
      size += Math.min(value.length, room);
      if (value.length >= room) {
        truncated = value.length > room || !(await reader.read().then((r) => r.done));
        break;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { body: new TextDecoder().decode(Buffer.concat(chunks)), truncated };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
