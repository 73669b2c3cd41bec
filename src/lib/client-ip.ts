import type { Context } from "hono";

/**
 * The client's IP. X-Forwarded-For is believed only from TRUSTED_PROXIES (its right-most
 * untrusted hop). Hono's getConnInfo throws under app.request(), so the socket address is read
 * from Bun's server when there is one.
 */
export function clientIp(c: Context, trustedProxies: string[]): string {
  const server = (c.env as { server?: { requestIP(req: Request): { address: string } | null } } | undefined)?.server;
  const socketIp = server?.requestIP(c.req.raw)?.address ?? "unknown";
  if (!trustedProxies.length || !trustedProxies.includes(socketIp)) return socketIp;
  const hops = (c.req.header("X-Forwarded-For") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  }
  return socketIp;
}
