import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Stripe from "stripe";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeUser } from "../helpers/factories";
import { signIn } from "../helpers/sign-in";
import { addMember } from "../../src/teams/memberships";
import { makeSite, sendTrack } from "../web/support";
import { getWebSettings, saveWebSettings } from "../../src/web/sites";
import { setIntegration } from "../../src/revenue/integrations";
import { normalizeXLink } from "../../src/revenue/x-links";

/**
 * X (Twitter) attribution: the owner names t.co links after their posts in Settings → Revenue;
 * visits whose referrer is such a link show the post in the web dashboard's Referrers tab with
 * their revenue ("revenue per tweet"); a landing URL with `twclid` (an X ad click) is the source
 * "Twitter Ads", apart from organic "Twitter".
 */
const T0 = Date.UTC(2026, 3, 7, 9);

describe("X (Twitter) attribution", () => {
  let server: TestServer;
  let shop: Awaited<ReturnType<typeof makeSite>>;
  let now = T0;
  const stripe = new Stripe("sk_test_x");
  const secret = "whsec_x_attribution";
  const settings = () => `/products/${shop.product.id}/settings/revenue`;

  beforeAll(async () => {
    server = await startTestServer({ clock: { now: () => now }, env: { TRUSTED_PROXIES: "127.0.0.1" } });
    shop = await makeSite(server.deps, { timezone: "UTC" });
    saveWebSettings(server.deps.db, shop.product.id, { ...getWebSettings(server.deps.db, shop.product.id), mode: "attribution" }, now);
    setIntegration(server.deps.db, server.deps.config.secret, shop.product.id, "stripe", secret, now);
  });
  afterAll(() => server.stop());

  test("t.co links in every form people paste them; anything else is refused naming the field", () => {
    for (const s of ["https://t.co/AbC123", "http://t.co/AbC123?amp=1", "t.co/AbC123/", " AbC123 "]) expect(normalizeXLink(s)).toBe("t.co/AbC123");
    for (const s of ["", "https://bit.ly/AbC123", "t.co/Ab-C", "https://x.com/me/status/1"]) expect(() => normalizeXLink(s)).toThrow();
  });

  test("the owner names posts; bad input is 422 at its field and stores nothing; members look; strangers 404", async () => {
    const owner = signIn(server, shop.user.id);
    expect(await (await owner.get(settings())).text()).toContain('data-testid="x-links-empty"');
    const bad = await owner.post(`${settings()}/x-links`, { link: "https://bit.ly/xyz", label: "Launch", postUrl: "" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="x-link"[^>]*aria-invalid="true"/);
    const badPost = await owner.post(`${settings()}/x-links`, { link: "https://t.co/AbC123", label: "Launch", postUrl: "https://evil.example/status/1" });
    expect(badPost.status).toBe(422);
    expect(await badPost.text()).toMatch(/id="x-postUrl"[^>]*aria-invalid="true"/);
    expect((server.deps.db.$client.query("SELECT count(*) AS n FROM x_links").get() as { n: number }).n).toBe(0);

    expect((await owner.post(`${settings()}/x-links`, { link: "https://t.co/AbC123", label: "Launch thread <3", postUrl: "https://twitter.com/maker/status/1777?s=20" })).status).toBe(303);
    expect((await owner.post(`${settings()}/x-links`, { link: "t.co/Old999", label: "An old post", postUrl: "" })).status).toBe(303);
    const twice = await owner.post(`${settings()}/x-links`, { link: "AbC123", label: "Again", postUrl: "" });
    expect(twice.status).toBe(422);
    expect(await twice.text()).toContain("t.co/AbC123 is labelled already");
    const page = await (await owner.get(settings())).text();
    expect(page).toContain("<code>t.co/AbC123</code>");
    expect(page).toContain('href="https://x.com/maker/status/1777"');
    expect(page).toContain("Launch thread &lt;3");
    expect((await owner.post(`${settings()}/x-links/remove`, { link: "t.co/Old999" })).status).toBe(303);
    expect(await (await owner.get(settings())).text()).not.toContain("t.co/Old999");

    const member = await makeUser(server);
    addMember(server.deps.db, shop.product.id, member.id, now);
    const m = signIn(server, member.id);
    const seen = await (await m.get(settings())).text();
    expect(seen).toContain("t.co/AbC123");
    expect(seen).not.toContain('data-testid="x-link-form"');
    expect((await m.post(`${settings()}/x-links`, { link: "t.co/Mine1", label: "Mine", postUrl: "" })).status).toBe(403);
    const stranger = await makeUser(server);
    expect((await signIn(server, stranger.id).get(settings())).status).toBe(404);
    expect((await signIn(server, stranger.id).post(`${settings()}/x-links/remove`, { link: "t.co/AbC123" })).status).toBe(404);
  });

  test("the post's visitors and revenue in the Referrers tab; X ad clicks (twclid) are Twitter Ads, apart from organic Twitter", async () => {
    const track = (v: string, u: string, r?: string) => sendTrack(server.url, { site: shop.siteToken, n: "pageview", u: `https://${shop.domain}${u}`, r, v }, { xff: "203.0.113.7" });
    expect((await track("visitor-post-1", "/", "https://t.co/AbC123")).status).toBe(202);
    expect((await track("visitor-post-2", "/pricing", "https://t.co/AbC123")).status).toBe(202);
    expect((await track("visitor-ad-1", "/?twclid=26abc", "https://t.co/Zz9Ad")).status).toBe(202);
    expect((await track("visitor-ad-2", "/?twclid=26def")).status).toBe(202); // X's app sent no referrer
    expect((await track("visitor-utm", "/?utm_source=x-launch&twclid=26ghi", "https://t.co/Zz9Ad")).status).toBe(202);
    now = T0 + 3_600_000;
    const payload = JSON.stringify({ id: "evt_x1", type: "checkout.session.completed", created: now / 1000, data: { object: { id: "cs_x1", mode: "payment", payment_status: "paid", amount_total: 9900, currency: "usd", metadata: { litekpi_visitor_id: "visitor-post-1" } } } });
    const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret, timestamp: now / 1000 });
    expect((await server.fetch(`/api/v1/hooks/stripe/${shop.product.id}`, { method: "POST", body: payload, headers: { "Content-Type": "application/json", "Stripe-Signature": header } })).status).toBe(200);
    await server.deps.queue.flushNow();

    const q = await server.fetch("/api/v2/query", { method: "POST", headers: { Authorization: `Bearer ${shop.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ site_id: shop.domain, metrics: ["visitors"], date_range: "day", dimensions: ["visit:source"] }) });
    const sources = Object.fromEntries(((await q.json()).results as { dimensions: string[]; metrics: number[] }[]).map((r) => [r.dimensions[0], r.metrics[0]]));
    expect(sources).toEqual({ Twitter: 2, "Twitter Ads": 2, "x-launch": 1 });

    const owner = signIn(server, shop.user.id);
    const card = await (await owner.get(`/products/${shop.product.id}/web/cards/sources?range=today&tab=referrers`, { "HX-Request": "true" })).text();
    const row = card.split("<tr>").find((r) => r.includes("t.co/AbC123"))!;
    expect(row).toContain('data-testid="x-post">Launch thread &lt;3</span>');
    expect(row).toMatch(/data-metric="visitors" data-value="2"/);
    expect(row).toMatch(/data-metric="revenue" data-value="99"/);
    expect(row).toMatch(/data-metric="rpv" data-value="49.5"/);
    expect(card.split("<tr>").find((r) => r.includes("t.co/Zz9Ad"))).not.toContain("x-post"); // not named: the link alone

    const csv = await (await owner.get(`/products/${shop.product.id}/web/cards/sources/csv?range=today&tab=referrers`)).text();
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe("visit:referrer,x_post,visitors,revenue,purchases,rpv");
    expect(lines).toContain("t.co/AbC123,Launch thread <3,2,99,1,49.5");
  });
});
