import type { MiddlewareHandler } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { AppError, unauthorized } from "../lib/errors";
import { findActiveKey, keyAllows, type ApiKey, type KeyScope } from "../products/keys";

/** The bearer token of a request, if it sent one. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * `Authorization: Bearer <key>`: 401 when missing, unknown or revoked; 403 when the key lacks
 * `scope`. Active keys are cached in memory, but the cache is checked against api_keys changes
 * by any process on every request (findActiveKey), so a revoke counts on the very next request.
 * With `optional`, a request without a bearer token passes on (a signed-in member may use the
 * same route; THE access check then decides).
 */
export function apiKeyAuth(deps: Deps, scope: KeyScope, opts: { optional?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization");
    if (!bearerToken(header) && opts.optional) return next();
    const key = authenticateKey(deps, header, scope);
    c.set("apiKey", key);
    // Ingest keys are stamped by the flush that stores their batch; other keys write nothing.
    deps.queue.touchKey(key.id, deps.clock.now());
    await next();
  };
}

/** The active key an Authorization header names, with `scope`; else 401 or 403. */
export function authenticateKey(deps: Pick<Deps, "keys">, header: string | null | undefined, scope: KeyScope): ApiKey {
  const token = bearerToken(header ?? undefined);
  if (!token) throw unauthorized("Send your API key as: Authorization: Bearer lk_…");
  const key = findActiveKey(deps.keys, token);
  if (!key) throw unauthorized("Unknown or revoked API key");
  if (!keyAllows(key.scope, scope)) throw new AppError(403, "insufficient_scope", `This key has scope "${key.scope}"; this endpoint needs a "${scope}" key`);
  return key;
}
