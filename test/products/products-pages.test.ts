import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { bearerProbe } from "./bearer-probe";
import { signIn } from "../helpers/sign-in";
import { testIdText, unescapeHtml } from "../helpers/html";
import { makeUser } from "../helpers/factories";
import { addMember } from "../../src/teams/memberships";
import { getProduct, listProductsForUser } from "../../src/products/products";

describe("product pages", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test("anonymous visitors are sent to sign in", async () => {
    const res = await server.fetch("/products/new");
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/login?next=%2Fproducts%2Fnew");
  });

  test("create a product: the key page shows the key once, the snippets with that key in them, and Continue", async () => {
    const user = await makeUser(server);
    const client = signIn(server, user.id);
    const form = await (await client.get("/products/new")).text();
    expect(form).toContain("Create your first product");
    expect(form).toContain('x-data="timezoneSelect" data-detect="1"');
    expect(form).toContain('<option value="Europe/Berlin">Europe/Berlin</option>');

    const res = await client.post("/products", { name: "  Acme <Shop> ", timezone: "America/New_York" });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("Acme &lt;Shop&gt; is ready"); // escaped, trimmed
    const key = testIdText(html, "new-key")!;
    expect(key).toMatch(/^lk_[a-z0-9]{52}$/);
    // The onboarding snippets on the one page that still has the key carry it, not YOUR_INGEST_KEY.
    for (const id of ["snippet-curl", "snippet-js", "snippet-py"]) expect(unescapeHtml(testIdText(html, id)!)).toContain(`Bearer ${key}`);
    expect(unescapeHtml(testIdText(html, "snippet-curl")!)).toContain(`${server.url}/api/v1/points`);
    expect(html).not.toContain("YOUR_INGEST_KEY");
    expect(await bearerProbe(server).ingest(key)).not.toBeOneOf([401, 403]);

    const [product] = listProductsForUser(server.deps.db, user.id);
    expect(product).toMatchObject({ name: "Acme <Shop>", timezone: "America/New_York", role: "owner" });
    expect(html).toContain(`href="/products/${product!.id}">Continue</a>`);
    // the key is never shown again
    expect(await (await client.get(`/products/${product!.id}/settings/keys`)).text()).not.toContain(key);
    expect(await (await client.get("/products")).text()).toContain("Acme &lt;Shop&gt;");
    expect(await (await client.get("/products/new")).text()).toContain("<h1>New product</h1>");
  });

  test("creation errors come back beside their fields, keeping what was typed", async () => {
    const client = signIn(server, (await makeUser(server)).id);
    const empty = await client.post("/products", { name: "   ", timezone: "UTC" });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toContain('id="product-name-error"');
    expect(html).toContain("Name is required");
    expect(html).not.toContain('data-detect="1"'); // the user's choice is kept, not re-detected

    const zone = await client.post("/products", { name: "Zoned", timezone: "Mars/Olympus" });
    expect(zone.status).toBe(422);
    const zoneHtml = await zone.text();
    expect(zoneHtml).toContain("Unknown time zone");
    expect(zoneHtml).toContain('value="Zoned"');
  });

  test("owners rename and change the time zone; members see the values read-only", async () => {
    const owned = await makeProductWithKeys(server.deps, { name: "Before" });
    const owner = signIn(server, owned.user.id);
    const url = `/products/${owned.product.id}/settings`;

    const section = await owner.get(url, { "HX-Request": "true" });
    expect(section.headers.get("Vary")).toContain("HX-Request");
    expect(await section.text()).toStartWith('<section id="general"');
    const page = await owner.get(url);
    expect(page.headers.get("Vary")).toContain("HX-Request");
    const pageHtml = await page.text();
    expect(pageHtml).toStartWith("<!doctype html>");
    expect(pageHtml).toContain("Danger zone");

    const saved = await owner.post(url, { name: "After", timezone: "Asia/Kolkata" }, { "HX-Request": "true" });
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain("Saved.");
    expect(getProduct(server.deps.db, owned.product.id)).toMatchObject({ name: "After", timezone: "Asia/Kolkata" });
    const bad = await owner.post(url, { name: "", timezone: "Asia/Kolkata" }, { "HX-Request": "true" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Name is required");
    const plain = await owner.post(url, { name: "After 2", timezone: "UTC" });
    expect(plain.status).toBe(303);

    const teammate = await makeUser(server);
    addMember(server.deps.db, owned.product.id, teammate.id, server.deps.clock.now());
    const member = signIn(server, teammate.id);
    const memberView = await (await member.get(url)).text();
    expect(memberView).toContain("readonly");
    expect(memberView).not.toContain("Danger zone");
    expect((await member.post(url, { name: "Hijack", timezone: "UTC" })).status).toBe(403);
    expect(getProduct(server.deps.db, owned.product.id)!.name).toBe("After 2");
  });

  test("a cross-site form cannot delete a product or touch its keys", async () => {
    const owned = await makeProductWithKeys(server.deps, { name: "Guarded" });
    const owner = signIn(server, owned.user.id);
    const evil = { Origin: "https://evil.example" };
    expect((await owner.post(`/products/${owned.product.id}/delete`, { confirm: "Guarded" }, evil)).status).toBe(403);
    expect((await owner.post(`/products/${owned.product.id}/settings/keys/${owned.ingestKeyId}/revoke`, {}, evil)).status).toBe(403);
    expect(getProduct(server.deps.db, owned.product.id)).toBeDefined();
    expect(await bearerProbe(server).ingest(owned.ingestKey)).not.toBeOneOf([401, 403]);
  });

  test("a member can leave; the owner cannot", async () => {
    const owned = await makeProductWithKeys(server.deps);
    const teammate = await makeUser(server);
    addMember(server.deps.db, owned.product.id, teammate.id, server.deps.clock.now());
    const member = signIn(server, teammate.id);
    const left = await member.post(`/products/${owned.product.id}/leave`);
    expect(left.status).toBe(303);
    expect((await member.get(`/products/${owned.product.id}/settings`)).status).toBe(404);
    expect((await signIn(server, owned.user.id).post(`/products/${owned.product.id}/leave`)).status).toBe(403);
  });
});
