import { Hono } from "hono";
import type { Deps } from "../deps";
import { pingDatabase } from "../db/connection";

export function healthRoutes(deps: Deps) {
  return new Hono().get("/healthz", (c) => {
    c.header("Cache-Control", "no-store");
    return pingDatabase(deps.db) ? c.json({ ok: true }) : c.json({ ok: false, error: "database_unavailable" }, 503);
  });
}
