import type { Deps } from "../deps";
import { AppError, unauthorized } from "../lib/errors";
import { findActiveKey, keyAllows, type ApiKey } from "../products/keys";
import { takeIngestToken } from "../ingest/rate-limits";
import type { IdempotencyGate } from "../ingest/idempotency";

/**
 * What every drop-in shares: how a third-party client's credential becomes one of our ingest
 * keys, and the same brakes as the native endpoints (rate limits per key and product, the
 * monthly quota). A drop-in is a table of routes (src/dropins/index.ts); each route is a plain
 * Request → Response handler so Bun.serve can answer it directly, like /api/v1/points.
 */
export type DropInDeps = { deps: Deps; gate: IdempotencyGate };
export type DropInRoute = { method: "GET" | "POST" | "OPTIONS" | "HEAD"; path: string; handle(req: Request): Promise<Response> | Response };
export type DropIn = { name: string; routes(ctx: DropInDeps): DropInRoute[] };

/** The ingest key named by `secret` (the client's own spelling of it is `how`): 401 / 403 as the native API. */
export function ingestKeyFrom(deps: Pick<Deps, "keys">, secret: string | null | undefined, how: string): ApiKey {
  if (!secret) throw unauthorized(`Send your LiteKPI ingest key ${how}`);
  const key = findActiveKey(deps.keys, secret);
  if (!key) throw unauthorized("Unknown or revoked API key");
  if (!keyAllows(key.scope, "ingest")) throw new AppError(403, "insufficient_scope", `This key has scope "${key.scope}"; this endpoint needs an "ingest" key`);
  return key;
}

/** The token of `Authorization: <scheme> <token>` for any of `schemes` (case-insensitive). */
export function authToken(header: string | null, schemes: string[]): string | null {
  if (!header) return null;
  const m = /^(\S+)\s+(\S+)\s*$/.exec(header);
  if (!m || !schemes.includes(m[1]!.toLowerCase())) return null;
  return m[2]!;
}

/** `Authorization: Basic base64(user:password)`, decoded; null when absent or malformed. */
export function basicAuth(header: string | null): { user: string; password: string } | null {
  const token = authToken(header, ["basic"]);
  if (!token) return null;
  let decoded: string;
  try {
    decoded = Buffer.from(token, "base64").toString("utf8");
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  return colon < 0 ? { user: decoded, password: "" } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Rate limits and the quota gate of the native API (429 with Retry-After, or quota_exceeded). */
export function admit(deps: Pick<Deps, "limits" | "clock">, who: { keyId?: string; productId: string }) {
  takeIngestToken(deps, who);
}

/** This month's count for the quota gate, as the native handler keeps it. */
export function countAccepted(deps: Pick<Deps, "limits">, productId: string, answer: { replayed: boolean; body: unknown }) {
  if (!answer.replayed) deps.limits.ingest.quota.add(productId, (answer.body as { accepted?: number }).accepted ?? 0);
}

/** The query string of a request, parsed only when there is one. */
export function queryOf(req: Request): URLSearchParams {
  const q = req.url.indexOf("?");
  return new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
}
