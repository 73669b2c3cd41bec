import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys, makeUser } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { addMember } from "../../src/teams/memberships";

/** Settings → Revenue: owners connect providers (sealed secret, last 4 shown), test them; members look; strangers get 404. */
describe("revenue settings page", () => {
  let server: TestServer;
  let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
  beforeAll(async () => {
    server = await startTestServer();
    p = await makeProductWithKeys(server.deps);
  });
  afterAll(() => server.stop());

  test("connect Stripe, send a test event, disconnect", async () => {
    const owner = signIn(server, p.user.id);
    const base = `/products/${p.product.id}/settings/revenue`;
    const empty = await (await owner.get(base)).text();
    expect(empty).toContain(`/api/v1/hooks/stripe/${p.product.id}`);
    expect(empty).toContain("Not connected");

    const bad = await owner.post(`${base}/stripe`, { secret: "short" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="revenue-secret-stripe"[^>]*aria-invalid="true"/);

    expect((await owner.post(`${base}/stripe`, { secret: "whsec_0123456789abcdefWXYZ" })).status).toBe(303);
    const connected = await (await owner.get(base)).text();
    expect(connected).toContain("secret …WXYZ");
    expect(connected).not.toContain("whsec_0123456789abcdefWXYZ");

    const tested = await owner.post(`${base}/stripe/test`);
    expect(tested.status).toBe(200);
    expect(await tested.text()).toContain("Signature verified; read as a purchase of 1.00 USD (a test: not stored).");
    expect((server.deps.db.$client.query("SELECT count(*) AS n FROM revenue_events").get() as { n: number }).n).toBe(0);

    for (const provider of ["lemonsqueezy", "polar", "shopify"]) {
      expect((await owner.post(`${base}/${provider}`, { secret: "a-long-enough-secret-" + provider })).status).toBe(303);
      expect(await (await owner.post(`${base}/${provider}/test`)).text()).toContain("Signature verified");
    }
    expect((await owner.post(`${base}/stripe/delete`)).status).toBe(303);
    expect(await (await owner.get(base)).text()).toContain("Not connected");
  });

  test("members see it but cannot change it; other tenants get 404; unknown provider 404", async () => {
    const member = await makeUser(server);
    addMember(server.deps.db, p.product.id, member.id, Date.now());
    const m = signIn(server, member.id);
    const base = `/products/${p.product.id}/settings/revenue`;
    const html = await (await m.get(base)).text();
    expect(html).toContain("Webhook URL");
    expect(html).not.toContain('name="secret"');
    expect((await m.post(`${base}/stripe`, { secret: "whsec_member_tries_it" })).status).toBe(403);
    const other = await makeProductWithKeys(server.deps);
    expect((await signIn(server, other.user.id).get(base)).status).toBe(404);
    expect((await signIn(server, p.user.id).post(`${base}/paypal`, { secret: "whatever-secret" })).status).toBe(404);
  });
});
