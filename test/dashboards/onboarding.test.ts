import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { createUser } from "../../src/auth/users";
import { addMember } from "../../src/teams/memberships";
import { listActiveKeys } from "../../src/products/keys";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { signedInOwner } from "./support";
import { sessionCookie, signInBrowser } from "../helpers/sign-in";

/**
 * "Send your first data point": a fresh product's home shows the snippets; an owner mints a key
 * into them; the copied curl line, run for real, makes the status say "received signups = 1"
 * within seconds; one click makes a dashboard charting it. The JavaScript and Python snippets
 * are run too, where node and python3 exist.
 */
describe("onboarding", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const run = async (cmd: string[]) => {
    const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { out, err, code };
  };

  test(
    "new product → create key → run the curl line → received → dashboard with the point",
    async () => {
      const started = performance.now();
      const owner = await signedInOwner(server, { name: "Fresh" });
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        await signInBrowser(context, server, owner.user.id);
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`${server.url}/products/${owner.product.id}`);
        await page.locator("[data-testid=onboarding]").waitFor();
        expect(await page.locator("[data-testid=onboarding-status]").textContent()).toContain("Waiting for data");
        expect(await page.locator("[data-testid=snippet-curl]").textContent()).toContain("YOUR_INGEST_KEY");
        await screenshot(page, "onboarding-01-waiting");

        await page.click("[data-testid=onboarding-create-key]");
        await page.locator("[data-testid=onboarding-key]").waitFor();
        const curl = (await page.locator("[data-testid=snippet-curl]").textContent())!.trim();
        const key = /Bearer (lk_[a-z0-9]+)/.exec(curl)![1]!;
        expect(listActiveKeys(server.deps.db, owner.product.id).some((k) => k.name === "Onboarding")).toBe(true);
        await screenshot(page, "onboarding-02-key");

        // Exactly what a user pastes into a shell.
        const sent = await run(["sh", "-c", curl]);
        expect(sent.code).toBe(0);
        expect(JSON.parse(sent.out)).toEqual({ accepted: 1 });
        await page.locator("[data-testid=onboarding-status].received").waitFor({ timeout: 10_000 });
        expect((await page.locator("[data-testid=onboarding-status]").textContent())!.replace(/\s+/g, " ")).toContain("Received signups = 1");
        await screenshot(page, "onboarding-03-received");

        await page.click("[data-testid=onboarding-create-dashboard]");
        await page.waitForURL(/\/dashboards\//);
        const figures = page.locator("[data-testid=widget-figure]");
        await figures.nth(1).waitFor();
        expect(await figures.evaluateAll((els) => els.map((e) => e.getAttribute("data-value")))).toEqual(["1", "1"]);
        await page.locator("[data-chart-ready]").waitFor();
        await page.evaluate(() => window.scrollTo(0, 0));
        await screenshot(page, "onboarding-04-first-chart");
        expect(errors).toEqual([]);
        // A fresh onboarding key replaces the unused one only; this one is now in use and stays.
        expect(key.startsWith("lk_")).toBe(true);
        console.log(`onboarding: product home → first chart in ${Math.round(performance.now() - started)} ms of machine time`);
      } finally {
        await context.close();
      }
    },
    60_000,
  );

  test("the JavaScript and Python snippets work as printed", async () => {
    const owner = await signedInOwner(server, { name: "Snippets" });
    const res = await server.fetch(`/products/${owner.product.id}/onboarding/key`, {
      method: "POST",
      headers: { Cookie: owner.cookie, "HX-Request": "true", Origin: server.url },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const html = await res.text();
    const snippet = (id: string) => {
      const m = new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</code>`).exec(html)!;
      return m[1]!.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
    };
    let expected = 0;
    if (Bun.which("node")) {
      const js = await run(["node", "--input-type=module", "-e", snippet("snippet-js")]);
      expect(js.code).toBe(0);
      expected++;
    }
    if (Bun.which("python3")) {
      const py = await run(["python3", "-c", snippet("snippet-py")]);
      expect(py.err).toBe("");
      expect(JSON.parse(py.out)).toEqual({ accepted: 1 });
      expected++;
    }
    const status = await (await server.fetch(`/products/${owner.product.id}/onboarding/status`, { headers: { Cookie: owner.cookie } })).text();
    if (expected) expect(status.replace(/<[^>]+>/g, "").replace(/\s+/g, " ")).toContain(`Received signups = ${expected}`);
    else expect(status).toContain("Waiting for data");
  }, 30_000);

  test("a second click replaces the unused onboarding key; members see the placeholder and cannot mint keys", async () => {
    const owner = await signedInOwner(server, { name: "Team" });
    const mint = () =>
      server.fetch(`/products/${owner.product.id}/onboarding/key`, { method: "POST", headers: { Cookie: owner.cookie, "HX-Request": "true", Origin: server.url } });
    await mint();
    await mint();
    expect(listActiveKeys(server.deps.db, owner.product.id).filter((k) => k.name === "Onboarding")).toHaveLength(1);

    const now = server.deps.clock.now();
    const member = await createUser(server.deps.db, { email: `member-${now}@example.com`, password: "correct horse battery", verified: true }, now);
    addMember(server.deps.db, owner.product.id, member.id, now);
    const cookie = sessionCookie(server.deps, member.id);
    const home = await (await server.fetch(`/products/${owner.product.id}`, { headers: { Cookie: cookie } })).text();
    expect(home).toContain("YOUR_INGEST_KEY");
    expect(home).not.toContain("onboarding-create-key");
    const refused = await server.fetch(`/products/${owner.product.id}/onboarding/key`, { method: "POST", headers: { Cookie: cookie, "HX-Request": "true", Origin: server.url } });
    expect(refused.status).toBe(403);
  });
});
