import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { sessionCookie } from "../helpers/sign-in";
import { listProductsForUser } from "../../src/products/products";

/** A cross-site POST (a form on another site submitting to us with the victim's cookie) is refused. */
let server: TestServer;
let t: Awaited<ReturnType<typeof makeProductWithKeys>>;
let cookie: string;

beforeAll(async () => {
  server = await startTestServer();
  t = await makeProductWithKeys(server.deps);
  cookie = sessionCookie(server.deps, t.user.id);
});
afterAll(() => server.stop());

const form = (headers: Record<string, string>, body: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie, ...headers },
  body: new URLSearchParams(body).toString(),
});
const queryBody = () => JSON.stringify({ product: t.product.id, metric: "signups", aggregation: "sum", range: "7d" });

describe("CSRF: state changes only from our own pages", () => {
  const refused: [string, string, RequestInit | (() => RequestInit)][] = [
    ["a form on another site creating a product", "/products", () => form({ Origin: "https://evil.example" }, { name: "Pwned", timezone: "UTC" })],
    ["a sandboxed frame (Origin: null) signing the user out", "/logout", () => form({ Origin: "null" })],
    ["a cross-site request that sent only Sec-Fetch-Site", "/products", () => form({ "Sec-Fetch-Site": "cross-site" }, { name: "Pwned", timezone: "UTC" })],
    ["a sibling subdomain (same-site is not same-origin)", "/products", () => form({ Origin: "http://evil.127.0.0.1.nip.io", "Sec-Fetch-Site": "same-site" }, { name: "Pwned" })],
    ["a sandboxed frame on another site (Origin: null, Sec-Fetch-Site: cross-site)", "/products", () => form({ Origin: "null", "Sec-Fetch-Site": "cross-site" }, { name: "Pwned", timezone: "UTC" })],
    ["a mismatched Origin, even beside Sec-Fetch-Site: same-origin", "/products", () => form({ Origin: "https://evil.example", "Sec-Fetch-Site": "same-origin" }, { name: "Pwned", timezone: "UTC" })],
    ["another scheme of our host (not our origin) claiming same-origin", "/products", () => form({ Origin: server.url.replace("http:", "https:"), "Sec-Fetch-Site": "same-origin" }, { name: "Pwned", timezone: "UTC" })],
    ["login CSRF (signing the victim into the attacker's account)", "/login", () => form({ Origin: "https://evil.example" }, { email: "a@b.c", password: "x" })],
    [
      "a cookie-authenticated query API call from another site",
      "/api/v1/query",
      () => ({ method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie, Origin: "https://evil.example" }, body: queryBody() }),
    ],
  ];
  for (const [name, path, init] of refused) {
    test(`refused: ${name}`, async () => {
      const res = await server.fetch(path, typeof init === "function" ? init() : init);
      expect(res.status).toBe(403);
      const body = await res.text();
      if (path.startsWith("/api/")) expect(JSON.parse(body).error).toBe("cross_site_request");
      else expect(body).toContain("came from another site");
      expect(listProductsForUser(server.deps.db, t.user.id).map((p) => p.name)).not.toContain("Pwned");
    });
  }

  test("the session survives a refused cross-site sign-out", async () => {
    const res = await server.fetch("/", { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
  });

  test("our own pages pass: by Origin, by BASE_URL's origin behind a TLS proxy, or by Sec-Fetch-Site alone", async () => {
    const own = await server.fetch("/products", form({ Origin: server.url }, { name: "Mine", timezone: "UTC" }));
    expect(own.status).toBe(200);
    const fetchSiteOnly = await server.fetch("/products", form({ "Sec-Fetch-Site": "same-origin" }, { name: "Mine too", timezone: "UTC" }));
    expect(fetchSiteOnly.status).toBe(200);
    // A form POST from our own page under Referrer-Policy: no-referrer: Chromium sends Origin: null.
    const noReferrer = await server.fetch("/products", form({ Origin: "null", "Sec-Fetch-Site": "same-origin" }, { name: "Mine three", timezone: "UTC" }));
    expect(noReferrer.status).toBe(200);
    const proxied = await startTestServer({ env: { BASE_URL: "https://kpi.example" } });
    try {
      const c = sessionCookie(proxied.deps, (await makeProductWithKeys(proxied.deps)).user.id);
      const res = await proxied.fetch("/products", { ...form({ Origin: "https://kpi.example", "Sec-Fetch-Site": "same-origin" }, { name: "Behind a proxy", timezone: "UTC" }), headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: c, Origin: "https://kpi.example" } });
      expect(res.status).toBe(200);
    } finally {
      await proxied.stop();
    }
    const query = await server.fetch("/api/v1/query", { method: "POST", headers: { "Content-Type": "application/json", Cookie: cookie, Origin: server.url }, body: queryBody() });
    expect(query.status).toBe(200);
  });

  test("bearer-key calls, the tracker and webhooks are not subject to the origin rule", async () => {
    const withKey = await server.fetch("/api/v1/query", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${t.readKey}`, Origin: "https://someone-elses-dashboard.example" },
      body: JSON.stringify({ metric: "signups", aggregation: "sum", range: "7d" }),
    });
    expect(withKey.status).toBe(200);
    for (const path of ["/api/track", "/api/v1/hooks/stripe"]) {
      const res = await server.fetch(path, { method: "POST", headers: { "Content-Type": "text/plain", Origin: "https://customer-site.example" }, body: "{}" });
      expect(res.status).not.toBe(403); // whatever the endpoint answers, it is not the CSRF refusal
    }
  });
});
