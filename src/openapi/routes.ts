import { Hono } from "hono";
import type { Deps } from "../deps";
import type { AppEnv } from "../http/context";
import { sendPage } from "../http/render";
import { pageHeader } from "../products/page-header";
import { ApiReferencePage } from "../../views/pages/docs/reference";
import { buildOpenApi, type RouteEntry } from "./document";

/**
 * GET /api/v1/openapi.json and GET /docs. `routes` reads the finished app's route table at the
 * first request (after every area is mounted), so the document lists every route of the router.
 * Both are public: the document holds no data, only what the API accepts.
 */
export function openapiRoutes(deps: Deps, routes: () => RouteEntry[]) {
  let doc: Record<string, unknown> | null = null;
  const document = () => (doc ??= buildOpenApi(routes(), { serverUrl: deps.config.baseUrl }));
  const app = new Hono<AppEnv>();
  app.get("/api/v1/openapi.json", (c) => {
    // Public and read-only: code generators and API tools on other origins may fetch it.
    c.header("Access-Control-Allow-Origin", "*");
    c.header("Cache-Control", "public, max-age=300");
    return c.json(document());
  });
  app.get("/docs", (c) => sendPage(c, ApiReferencePage({ header: pageHeader(deps, c), doc: document() })));
  return app;
}
