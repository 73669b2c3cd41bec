import { Hono } from "hono";
import { assetFile } from "../lib/assets";
import { sha256Hex } from "../lib/tokens";

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  webmanifest: "application/manifest+json",
};

/** Files under static/, from disk in development and from the binary when compiled. ETag per content. */
export function staticRoutes() {
  const etags = new Map<string, string>();
  return new Hono().get("/static/*", async (c) => {
    const rel = c.req.path.slice(1); // "static/…"
    const file = assetFile(rel);
    const type = TYPES[rel.split(".").pop() ?? ""];
    if (!file || !type) return c.notFound();
    let etag = etags.get(rel);
    if (!etag) {
      etag = `"${sha256Hex(new Uint8Array(await file.arrayBuffer())).slice(0, 16)}"`;
      etags.set(rel, etag);
    }
    const headers = { "Content-Type": type, ETag: etag, "Cache-Control": "public, max-age=300, must-revalidate" };
    if (c.req.header("If-None-Match") === etag) return c.body(null, 304, headers);
    return c.body(await file.arrayBuffer(), 200, headers);
  });
}
