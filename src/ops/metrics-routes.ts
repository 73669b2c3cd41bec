import { Hono } from "hono";
import type { Deps } from "../deps";
import { sha256Hex, timingSafeEqual } from "../lib/tokens";
import { AppError, notFound } from "../lib/errors";
import { renderMetrics } from "./metrics";

/**
 * GET /metrics for Prometheus: off (404, as if it did not exist) unless METRICS_TOKEN is set;
 * then `Authorization: Bearer <METRICS_TOKEN>`, compared in constant time.
 */
export function metricsRoutes(deps: Deps) {
  return new Hono().get("/metrics", (c) => {
    const token = deps.config.metricsToken;
    if (!token) throw notFound();
    if (!bearerMatches(c.req.header("Authorization"), token)) {
      throw new AppError(401, "unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>", { headers: { "WWW-Authenticate": 'Bearer realm="metrics"' } });
    }
    return c.text(renderMetrics(deps), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Cache-Control": "no-store" });
  });
}

/** Hashes first, so both sides have one length and the compare takes the same time whatever was sent. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(.+)$/i.exec(header ?? "")?.[1]?.trim() ?? "";
  return timingSafeEqual(sha256Hex(sent), sha256Hex(token));
}
