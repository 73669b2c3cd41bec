import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";

describe("health and basics", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('GET /healthz answers 200 { ok: true, storage: "sqlite" } when the database answers and writes reach the disk', async () => {
    const res = await server.fetch("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, storage: "sqlite" });
  });

  test("unknown API paths get the API's JSON error shape; pages get an HTML page", async () => {
    const api = await server.fetch("/api/v1/does-not-exist");
    expect(api.status).toBe(404);
    expect(await api.json()).toEqual({ error: "not_found", message: "Not found" });
    const page = await server.fetch("/no-such-page");
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(await page.text()).toStartWith("<!doctype html>");
  });

  test("pages carry a strict Content-Security-Policy", async () => {
    const res = await server.fetch("/healthz");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  test("static files are served with a content type and revalidate by ETag", async () => {
    const res = await server.fetch("/static/vendor/htmx.min.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    const etag = res.headers.get("etag")!;
    expect(etag).toBeTruthy();
    const again = await server.fetch("/static/vendor/htmx.min.js", { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect((await server.fetch("/static/../package.json")).status).toBe(404);
  });

  test("/healthz answers 503 when the database is gone", async () => {
    const other = await startTestServer();
    other.deps.db.$client.close();
    const res = await other.fetch("/healthz");
    expect(res.status).toBe(503);
    // the server still stops cleanly although its database was closed under it
    await other.stop().catch(() => {});
  });
});
