import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeUser } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { launchBrowser, screenshot } from "../helpers/browser";
import { unescapeHtml } from "../helpers/html";

/** /docs: the reference rendered from the document, under the strict CSP, linked from the header. */
let server: TestServer;
let doc: any;
beforeAll(async () => {
  server = await startTestServer();
  doc = await (await server.fetch("/api/v1/openapi.json")).json();
});
afterAll(() => server.stop());

test("every operation of the document is on the page, with its method, path, auth and an example", async () => {
  const res = await server.fetch("/docs");
  expect(res.status).toBe(200);
  const html = unescapeHtml(await res.text());
  const ops = Object.entries(doc.paths).flatMap(([path, item]: any) => Object.entries(item).map(([method, op]: any) => ({ method: method.toUpperCase(), path, id: op.operationId })));
  expect(ops.length).toBeGreaterThanOrEqual(10);
  for (const op of ops) {
    expect(html).toContain(`id="${op.id}"`);
    expect(html).toContain(`href="#${op.id}"`);
    expect(html).toContain(`<code>${op.path}</code>`);
  }
  // the points operation in full: its fields, the limits, an example to copy
  expect(html).toContain("Send metric points");
  expect(html).toContain("<code>metric</code>");
  expect(html).toContain("at most 20 keys");
  expect(html).toContain(`curl -X POST ${server.url}/api/v1/points`);
  expect(html).toContain("Authorization: Bearer $INGEST_KEY");
  expect(html).toContain('href="/api/v1/openapi.json"');
});

test("no inline script or style: the strict CSP stays as it is", async () => {
  const res = await server.fetch("/docs");
  expect(res.headers.get("content-security-policy")).toContain("script-src 'self';");
  expect(res.headers.get("content-security-policy")).not.toContain("unsafe-inline");
  const html = await res.text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/\sstyle=/);
  expect(html).not.toMatch(/\son[a-z]+=/);
});

test("linked from the header: signed out beside Sign in, signed in in the user menu", async () => {
  const signedOut = await (await server.fetch("/no-such-page")).text(); // error pages keep the header
  expect(signedOut).toMatch(/<header class="app-header">.*href="\/docs".*<\/header>/s);
  const user = await makeUser(server);
  const home = await signIn(server, user.id).get("/");
  expect(await home.text()).toMatch(/<details class="menu menu-end user-menu".*href="\/docs".*<\/details>/s);
});

test("in Chromium: no CSP violation, the nav jumps to an operation", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const violations: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") violations.push(m.text());
    });
    await page.goto(`${server.url}/docs`);
    await page.click('.doc-nav a[href="#postApiV1Points"]');
    expect(page.url()).toEndWith("#postApiV1Points");
    expect(await page.locator("#postApiV1Points h3").innerText()).toContain("/api/v1/points");
    await screenshot(page, "api-reference");
    expect(violations).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);
