import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { createIdempotencyGate } from "../ingest/idempotency";
import type { DropIn, DropInRoute } from "./common";
import { influxDropIn } from "./influx";
import { segmentDropIn } from "./segment";
import { posthogDropIn } from "./posthog";

/**
 * THE table of drop-in ingestion protocols (DESIGN.md "Developer surface and drop-ins"): one
 * module each, mapping a third-party client's wire format onto our points and events through the
 * native ingest path (same validation, limits, rate limits, quota, idempotency, commit before the
 * answer). StatsD (UDP, src/dropins/statsd/) and the WebSocket stream (src/dropins/stream/) are not
 * HTTP routes and start beside the server.
 */
export const DROP_INS: DropIn[] = [influxDropIn, segmentDropIn, posthogDropIn];

export function createDropInRoutes(deps: Deps): DropInRoute[] {
  const gate = createIdempotencyGate(deps.db.$client, deps.clock);
  return DROP_INS.flatMap((d) => d.routes({ deps, gate }));
}

/** The same handlers inside the Hono app (app.request() in tests, the route walker). */
export function dropInApp(routes: DropInRoute[]) {
  const app = new Hono<AppEnv>();
  for (const r of routes) app.on(r.method, r.path, (c) => r.handle(c.req.raw));
  return app;
}

/** Bun.serve `routes`: answered before Hono, like /api/v1/points (the hot path of line protocol). */
export function dropInServeRoutes<H>(routes: DropInRoute[], wrap: (handle: DropInRoute["handle"]) => H): Record<string, Partial<Record<DropInRoute["method"], H>>> {
  const out: Record<string, Partial<Record<DropInRoute["method"], H>>> = {};
  for (const r of routes) (out[r.path] ??= {})[r.method] = wrap(r.handle);
  return out;
}
