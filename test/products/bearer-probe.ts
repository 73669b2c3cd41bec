import { Hono } from "hono";
import { createApp } from "../../src/app";
import { apiKeyAuth } from "../../src/auth/api-key-auth";
import type { AppEnv } from "../../src/http/context";
import { handleError } from "../../src/http/errors";
import type { TestServer } from "../helpers/server";

/**
 * Sends one request with a bearer key to an ingest endpoint and to a read endpoint, answering the
 * status. It uses the real POST /api/v1/points and POST /api/v1/query when they are registered;
 * until then a tiny app with the same apiKeyAuth over the same database stands in.
 */
export function bearerProbe(server: TestServer) {
  const registered = createApp(server.deps).routes;
  const has = (path: string) => registered.some((r) => r.method === "POST" && r.path === path);
  const stand = new Hono<AppEnv>();
  stand.use(async (c, next) => {
    c.set("apiKey", null);
    c.set("user", null);
    await next();
  });
  stand.post("/api/v1/points", apiKeyAuth(server.deps, "ingest"), (c) => c.json({ accepted: 1 }));
  stand.post("/api/v1/query", apiKeyAuth(server.deps, "read"), (c) => c.json({ series: [] }));
  stand.onError((err, c) => handleError(err, c, server.deps.log));

  const send = async (path: string, key: string, body: unknown) => {
    const init = { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify(body) };
    const res = has(path) ? await server.fetch(path, init) : await stand.request(path, init);
    await res.arrayBuffer();
    return res.status;
  };
  return {
    real: { ingest: has("/api/v1/points"), query: has("/api/v1/query") },
    ingest: (key: string) => send("/api/v1/points", key, { metric: "probe", value: 1 }),
    query: (key: string) => send("/api/v1/query", key, { metric: "probe", aggregation: "sum", range: "7d" }),
  };
}
