import { Hono } from "hono";
import type { Deps } from "../deps";
import { pingDatabase } from "../db/connection";
import { dataPlaneOf } from "../storage";

/**
 * GET /healthz: 200 when the database answers and the last write reached the disk. After a
 * failed write (a full disk) it asks the writer for a real write first, so it turns 200 again
 * by itself once space returns.
 */
export function healthRoutes(deps: Deps) {
  return new Hono().get("/healthz", async (c) => {
    c.header("Cache-Control", "no-store");
    const storage = dataPlaneOf(deps.reader.$client).engine;
    if (!pingDatabase(deps.db)) return c.json({ ok: false, error: "database_unavailable", storage }, 503);
    let health = deps.queue.health();
    if (!health.ok) health = await deps.queue.probe();
    if (!health.ok) return c.json({ ok: false, error: health.code, message: `Writes fail: ${health.reason}`, storage }, 503);
    return c.json({ ok: true, storage });
  });
}
