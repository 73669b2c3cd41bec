import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { signIn, signInBrowser } from "../helpers/sign-in";
import { makeUser } from "../helpers/factories";
import { launchBrowser, screenshot } from "../helpers/browser";
import { addMember } from "../../src/teams/memberships";
import { getWebSettings, listDomains } from "../../src/web/sites";
import { getProduct } from "../../src/products/products";
import { makeSite, sendTrack } from "./support";

/**
 * The Web tab of a product's settings over HTTP, as scenarios: owners change tracking, members
 * only see it, another tenant gets 404; bad input is refused field by field and changes nothing.
 */
describe("web settings", () => {
  let server: TestServer;
  let site: Awaited<ReturnType<typeof makeSite>>;
  let owner: ReturnType<typeof signIn>;
  let member: ReturnType<typeof signIn>;
  let stranger: ReturnType<typeof signIn>;
  let path: string;

  beforeAll(async () => {
    server = await startTestServer();
    site = await makeSite(server.deps, { domain: "shop.example" });
    owner = signIn(server, site.user.id);
    const m = await makeUser(server);
    addMember(server.deps.db, site.product.id, m.id, server.deps.clock.now());
    member = signIn(server, m.id);
    stranger = signIn(server, (await makeUser(server)).id);
    path = `/products/${site.product.id}/settings/web`;
  });
  afterAll(async () => {
    await server?.stop();
  });

  const settings = () => getWebSettings(server.deps.db, site.product.id);

  test("who sees what: owners get the forms, members a read-only tab, others 404", async () => {
    const asOwner = await owner.get(path);
    expect(asOwner.status).toBe(200);
    const html = await asOwner.text();
    for (const s of ["shop.example", site.siteToken, "Add domain", "Rotate token", "Save tracking settings", "Dropped on purpose"]) expect(html).toContain(s);
    const asMember = await (await member.get(path)).text();
    expect(asMember).toContain("shop.example");
    expect(asMember).toContain("Only the product&#39;s owners change tracking settings.");
    for (const s of ["Add domain", "Rotate token", "Save tracking settings"]) expect(asMember).not.toContain(s);
    expect((await stranger.get(path)).status).toBe(404);
    // The tab is listed in the settings tabs, and the product header links the web dashboard.
    expect(html).toContain(`href="${path}"`);
    expect(html).toContain(`href="/products/${site.product.id}/web"`);
  });

  const scenarios: { name: string; as: () => ReturnType<typeof signIn>; url: string; form: Record<string, string>; status: number; contains?: string[]; unchanged?: boolean }[] = [
    { name: "member adds a domain", as: () => member, url: "/domains", form: { domain: "evil.example" }, status: 403, unchanged: true },
    { name: "stranger adds a domain", as: () => stranger, url: "/domains", form: { domain: "evil.example" }, status: 404, unchanged: true },
    { name: "stranger rotates the token", as: () => stranger, url: "/token", form: {}, status: 404, unchanged: true },
    { name: "member saves tracking", as: () => member, url: "/tracking", form: { mode: "attribution", window: "30", excluded: "", ips: "" }, status: 403, unchanged: true },
    { name: "not a domain", as: () => owner, url: "/domains", form: { domain: "not a domain" }, status: 422, contains: ["is not a domain"], unchanged: true },
    { name: "window 0", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "0", excluded: "", ips: "" }, status: 422, contains: ["from 1 to 90"], unchanged: true },
    { name: "window 91", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "91", excluded: "", ips: "" }, status: 422, contains: ["from 1 to 90"], unchanged: true },
    { name: "unknown mode", as: () => owner, url: "/tracking", form: { mode: "spy", window: "30", excluded: "", ips: "" }, status: 422, contains: ["Choose privacy mode or attribution mode"], unchanged: true },
    { name: "a path without /", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "30", excluded: "admin/**", ips: "" }, status: 422, contains: ["is not a path pattern"], unchanged: true },
    { name: "IPv4 prefix 33", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "30", excluded: "", ips: "10.0.0.0/33" }, status: 422, contains: ["&quot;10.0.0.0/33&quot; is not an IP address or CIDR range"], unchanged: true },
    { name: "IPv6 prefix 129", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "30", excluded: "", ips: "2001:db8::/129" }, status: 422, contains: ["is not an IP address or CIDR range"], unchanged: true },
    { name: "an octet over 255", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "30", excluded: "", ips: "203.0.113.256" }, status: 422, contains: ["203.0.113.256"], unchanged: true },
    { name: "not an address", as: () => owner, url: "/tracking", form: { mode: "privacy", window: "30", excluded: "", ips: "office" }, status: 422, contains: ["&quot;office&quot;"], unchanged: true },
  ];
  for (const s of scenarios) {
    test(`refused: ${s.name} → ${s.status}`, async () => {
      const before = { settings: settings(), domains: listDomains(server.deps.db, site.product.id), token: getProduct(server.deps.db, site.product.id)!.siteToken };
      const res = await s.as().post(path + s.url, s.form, { "HX-Request": "true" });
      expect(res.status).toBe(s.status);
      const body = await res.text();
      for (const c of s.contains ?? []) expect(body).toContain(c);
      if (s.status === 422) expect(body).toContain('aria-invalid="true"');
      if (s.unchanged) expect({ settings: settings(), domains: listDomains(server.deps.db, site.product.id), token: getProduct(server.deps.db, site.product.id)!.siteToken }).toEqual(before);
    });
  }

  test("a cross-site form post is refused (CSRF) and changes nothing", async () => {
    const res = await owner.post(path + "/domains", { domain: "csrf.example" }, { Origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(listDomains(server.deps.db, site.product.id)).not.toContain("csrf.example");
  });

  test("owners add and remove domains (normalised; one another product has is a field error)", async () => {
    const added = await owner.post(path + "/domains", { domain: "https://www.Blog.Example/path?x=1" }, { "HX-Request": "true" });
    expect(added.status).toBe(200);
    expect(await added.text()).toContain("blog.example added");
    expect(listDomains(server.deps.db, site.product.id)).toEqual(["blog.example", "shop.example"]);
    const other = await makeSite(server.deps, { domain: "taken.example" });
    const taken = await owner.post(path + "/domains", { domain: "taken.example" }, { "HX-Request": "true" });
    expect(taken.status).toBe(422);
    expect(await taken.text()).toContain("taken.example is already used by another product");
    expect(listDomains(server.deps.db, other.product.id)).toEqual(["taken.example"]);
    const removed = await owner.post(path + "/domains/remove", { domain: "blog.example" }, { "HX-Request": "true" });
    expect(removed.status).toBe(200);
    expect(listDomains(server.deps.db, site.product.id)).toEqual(["shop.example"]);
  });

  test("owners save tracking settings: mode, window, excluded paths, IPv4 and IPv6 ranges", async () => {
    const res = await owner.post(path + "/tracking", { mode: "attribution", window: "45", excluded: "/admin/**\r\n/preview/*\n", ips: "203.0.113.0/24\n2001:db8::/32\n198.51.100.7" }, { "HX-Request": "true" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Tracking settings saved.");
    expect(settings()).toMatchObject({ mode: "attribution", attributionWindowDays: 45, excludedPaths: ["/admin/**", "/preview/*"], ipExclusions: ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] });
    // The install page's snippet follows the mode: data-persist with the window.
    const install = await (await owner.get(`/products/${site.product.id}/web/install`)).text();
    expect(install).toContain(`data-persist=&quot;45&quot;`);
    await owner.post(path + "/tracking", { mode: "privacy", window: "30", excluded: "", ips: "" });
    expect(settings()).toMatchObject({ mode: "privacy", excludedPaths: [], ipExclusions: [] });
  });

  test("rotating the site token: the old one stops counting, the new one counts", async () => {
    const old = site.siteToken;
    const res = await owner.post(path + "/token", {}, { "HX-Request": "true" });
    expect(res.status).toBe(200);
    const fresh = getProduct(server.deps.db, site.product.id)!.siteToken;
    expect(fresh).not.toBe(old);
    expect(await res.text()).toContain(fresh);
    const hit = (site: string) => ({ site, n: "pageview", u: "https://shop.example/" });
    expect((await sendTrack(server.url, hit(old))).status).toBe(202); // dropped as unknown, answered like any hit
    expect((await sendTrack(server.url, hit(fresh))).status).toBe(202);
    site.siteToken = fresh;
  });

  test("drop counters: a bot and an unlisted domain show on the tab", async () => {
    await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: "https://shop.example/" }, { ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" });
    await sendTrack(server.url, { site: site.siteToken, n: "pageview", u: "https://elsewhere.example/" });
    const html = await (await owner.get(path)).text();
    const count = (reason: string) => new RegExp(`data-reason="${reason}"><td>[^<]*</td><td class="num" data-label="Dropped:">(\\d+)</td>`).exec(html)?.[1];
    expect(count("bot")).toBe("1");
    expect(count("unknown_domain")).toBe("1");
    expect(count("excluded_path")).toBe("0");
  });

  test("screenshots of the tab at 1280 and 320 px, light and dark", async () => {
    const browser = await launchBrowser();
    try {
      for (const [width, scheme] of [[1280, "light"], [1280, "dark"], [320, "light"], [320, "dark"]] as const) {
        const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme: scheme });
        await signInBrowser(context, server, site.user.id);
        const page = await context.newPage();
        await page.goto(server.url + path);
        await page.fill("#web-window", "0");
        await page.click("button:has-text('Save tracking settings')");
        await page.waitForSelector("#web-window-error");
        expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
        await screenshot(page, `web-settings-${width}-${scheme}`);
        await context.close();
      }
    } finally {
      await browser.close();
    }
  });
});
