import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { trackerScript } from "../../src/web/tracker/script";

/** GET /t.js as a customer's page gets it: R13 (≤ 1 KB gzipped as served), caching and CORS. */
describe("GET /t.js", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  // Bun's fetch inflates by default; decompress: false keeps the bytes as they went over the wire.
  const get = (path: string, headers: Record<string, string> = { "Accept-Encoding": "gzip, deflate, br" }) =>
    server.fetch(path, { headers, decompress: false } as RequestInit);

  test("R13: the script is at most 1024 bytes gzipped as served, and inflates to the minified build", async () => {
    const res = await get("/t.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    const wire = new Uint8Array(await res.arrayBuffer());
    console.log(`t.js: ${wire.length} bytes gzipped as served`);
    expect(wire.length).toBeLessThanOrEqual(1024);
    const script = new TextDecoder().decode(Bun.gunzipSync(wire));
    expect(script).toContain("/api/track");
    expect(script).not.toContain("document.cookie");
    expect(script.length).toBeLessThan(2000); // minified, not the readable source
  });

  test("without gzip the same script is sent as is", async () => {
    const res = await get("/t.js", { "Accept-Encoding": "identity" });
    expect(res.headers.get("content-encoding")).toBeNull();
    const { raw } = await trackerScript();
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(raw);
  });

  test("the versioned URL is immutable for a year; plain /t.js and an old version revalidate within minutes", async () => {
    const { version } = await trackerScript();
    expect(version).toMatch(/^[0-9a-f]{12}$/);
    const current = await get(`/t.js?v=${version}`);
    expect(current.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    for (const path of ["/t.js", "/t.js?v=000000000000"]) {
      const res = await get(path);
      expect(res.headers.get("cache-control")).toBe("public, max-age=300, must-revalidate");
    }
    expect(current.headers.get("vary")).toContain("Accept-Encoding");
  });

  test("ETag: a matching If-None-Match (strong or weak) is a 304 without a body", async () => {
    const first = await get("/t.js");
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{12}"$/);
    for (const match of [etag, `W/${etag}`, `"other", ${etag}`]) {
      const res = await get("/t.js", { "If-None-Match": match });
      expect(res.status).toBe(304);
      expect((await res.arrayBuffer()).byteLength).toBe(0);
    }
    expect((await get("/t.js", { "If-None-Match": '"stale"' })).status).toBe(200);
  });

  test("loads from any site: CORS and CORP allow it, no cookie is set, the type is JavaScript", async () => {
    const res = await get("/t.js", { Origin: "https://customer.example" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
