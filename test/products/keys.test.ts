import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { bearerProbe } from "./bearer-probe";
import { signIn, type Client } from "../helpers/sign-in";
import { testIdText } from "../helpers/html";
import { makeUser } from "../helpers/factories";
import { addMember } from "../../src/teams/memberships";
import { listActiveKeys, maskKey } from "../../src/products/keys";

describe("API keys in product settings", () => {
  let server: TestServer;
  let owned: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let owner: Client;
  let probe: ReturnType<typeof bearerProbe>;
  const keysUrl = () => `/products/${owned.product.id}/settings/keys`;
  const htmx = { "HX-Request": "true" };

  beforeAll(async () => {
    server = await startTestServer();
    owned = await makeProductWithKeys(server.deps);
    owner = signIn(server, owned.user.id);
    probe = bearerProbe(server);
  });
  afterAll(() => server.stop());

  test("a read key cannot ingest and an ingest key cannot query", async () => {
    expect(await probe.ingest(owned.ingestKey)).not.toBeOneOf([401, 403]);
    expect(await probe.query(owned.readKey)).not.toBeOneOf([401, 403]);
    expect(await probe.ingest(owned.readKey)).toBe(403);
    expect(await probe.query(owned.ingestKey)).toBe(403);
    expect(await probe.ingest("lk_" + "a".repeat(52))).toBe(401);
  });

  test("the settings page shows keys masked, never in full", async () => {
    const res = await owner.get(keysUrl());
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const key of listActiveKeys(server.deps.db, owned.product.id)) expect(html).toContain(maskKey(key));
    expect(maskKey(listActiveKeys(server.deps.db, owned.product.id)[0]!)).toMatch(/^lk_[a-z0-9]{4}…[a-z0-9]{4}$/);
    expect(html).not.toContain(owned.ingestKey);
    expect(html).not.toContain(owned.readKey);
  });

  test("regenerate: the new key is shown once and works, the old one gets 401 on the very next request", async () => {
    const res = await owner.post(`${keysUrl()}/${owned.ingestKeyId}/regenerate`, {}, htmx);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    expect(html.startsWith('<section id="keys"')).toBe(true); // htmx gets the section, not a page
    const fresh = testIdText(html, "new-key")!;
    expect(fresh).toMatch(/^lk_[a-z0-9]{52}$/);
    expect(fresh).not.toBe(owned.ingestKey);
    expect(await probe.ingest(owned.ingestKey)).toBe(401);
    expect(await probe.ingest(fresh)).not.toBeOneOf([401, 403]);
    // same name and scope, one active key instead of two
    const active = listActiveKeys(server.deps.db, owned.product.id);
    expect(active.filter((k) => k.name === "Ingest key")).toHaveLength(1);
    expect(active.find((k) => k.name === "Ingest key")!.scope).toBe("ingest");
    // afterwards the page shows it masked only
    const later = await (await owner.get(keysUrl())).text();
    expect(later).not.toContain(fresh);
    expect(later).toContain(`${fresh.slice(0, 7)}…${fresh.slice(-4)}`);
    owned.ingestKey = fresh;
    owned.ingestKeyId = active.find((k) => k.name === "Ingest key")!.id;
  });

  test("revoke: 401 on the very next request; revoking again or regenerating a revoked key is a 404", async () => {
    const res = await owner.post(`${keysUrl()}/${owned.readKeyId}/revoke`, {}, htmx);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("was revoked");
    expect(await probe.query(owned.readKey)).toBe(401);
    expect((await owner.post(`${keysUrl()}/${owned.readKeyId}/regenerate`, {}, htmx)).status).toBe(404);
  });

  test("create a named read key; bad input comes back beside its field", async () => {
    const res = await owner.post(keysUrl(), { name: "Grafana", scope: "read" }, htmx);
    const html = await res.text();
    const secret = testIdText(html, "new-key")!;
    expect(html).toContain("“Grafana” was created");
    expect(await probe.query(secret)).not.toBeOneOf([401, 403]);
    expect(await probe.ingest(secret)).toBe(403);

    const bad = await owner.post(keysUrl(), { name: "x", scope: "admin" }, htmx);
    expect(bad.status).toBe(422);
    const badHtml = await bad.text();
    expect(badHtml).toContain('id="key-scope-error"');
    expect(badHtml).toContain("Scope must be ingest, read or manage");
    expect(badHtml).not.toContain('data-testid="new-key"');

    // without htmx the whole page comes back, with the key
    const plain = await owner.post(keysUrl(), { name: "Backend", scope: "ingest" });
    expect(plain.status).toBe(200);
    const page = await plain.text();
    expect(page).toStartWith("<!doctype html>");
    expect(testIdText(page, "new-key")).toMatch(/^lk_/);
  });

  test("a member sees the masked keys but cannot create, regenerate or revoke", async () => {
    const teammate = await makeUser(server);
    addMember(server.deps.db, owned.product.id, teammate.id, server.deps.clock.now());
    const member = signIn(server, teammate.id);
    const page = await member.get(keysUrl());
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Only the product&#39;s owner can create");
    expect(html).not.toContain("/regenerate");
    expect((await member.post(keysUrl(), { name: "mine", scope: "ingest" })).status).toBe(403);
    expect((await member.post(`${keysUrl()}/${owned.ingestKeyId}/revoke`)).status).toBe(403);
    expect((await member.post(`${keysUrl()}/${owned.ingestKeyId}/regenerate`)).status).toBe(403);
    expect(await probe.ingest(owned.ingestKey)).not.toBeOneOf([401, 403]);
  });
});
