import { Hono } from "hono";
import { trackerScript } from "./script";

const YEAR = 365 * 24 * 3600;

/**
 * GET /t.js: the tracking script for customers' pages (DESIGN.md "Web analytics").
 * - `?v=<current hash>` (the URL the install page prints) is immutable for a year; plain `/t.js`
 *   or an old `v` gets five minutes plus ETag revalidation, so a tag pasted without `v` still
 *   picks up a new release quickly.
 * - Sent gzipped when the client accepts it (R13 counts the bytes as served); Vary says so.
 * - Loaded cross-site by design: `Access-Control-Allow-Origin: *` (for `crossorigin` tags and
 *   fetches) and `Cross-Origin-Resource-Policy: cross-origin` (for sites with COEP).
 * Mounted before the session middleware: no cookie is read or set here.
 */
export function trackerRoutes() {
  return new Hono().get("/t.js", async (c) => {
    const script = await trackerScript();
    const current = c.req.query("v") === script.version;
    const headers: Record<string, string> = {
      "Content-Type": "text/javascript; charset=utf-8",
      ETag: script.etag,
      "Cache-Control": current ? `public, max-age=${YEAR}, immutable` : "public, max-age=300, must-revalidate",
      Vary: "Accept-Encoding",
      "Access-Control-Allow-Origin": "*",
      "Cross-Origin-Resource-Policy": "cross-origin",
    };
    const match = c.req.header("If-None-Match");
    if (match && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === script.etag)) return c.body(null, 304, headers);
    if (/\bgzip\b/.test(c.req.header("Accept-Encoding") ?? "")) {
      headers["Content-Encoding"] = "gzip";
      return c.body(script.gzip, 200, headers);
    }
    return c.body(script.raw, 200, headers);
  });
}
