import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { signInBrowser } from "../helpers/sign-in";
import { startTestServer, type TestServer } from "../helpers/server";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { bearerProbe } from "./bearer-probe";
import { makeUser } from "../helpers/factories";

/**
 * In headless Chromium: create a product → copy its key → regenerate it → invite a teammate →
 * the teammate accepts in a second browser context → the owner removes them.
 */
describe("products in a browser", () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  /** A browser context signed in as the user (the session row and its cookie, as login would leave them). */
  const signedIn = async (userId: string, timezoneId: string) => {
    const context = await browser.newContext({ timezoneId, viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    await signInBrowser(context, server, userId);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && !m.text().includes("404") && errors.push(m.text()));
    return { context, page, errors };
  };

  test("create → copy key → regenerate → invite → accept in a second browser → remove", async () => {
    const ownerUser = await makeUser(server, { email: "owner@browser.test", name: "Olivia Owner" });
    const teammate = await makeUser(server, { email: "teammate@browser.test" });
    const owner = await signedIn(ownerUser.id, "Asia/Tokyo");
    const probe = bearerProbe(server);
    const { page } = owner;

    // ── create: the browser's own time zone is preselected ──
    await page.goto(`${server.url}/products/new`);
    await page.waitForFunction(() => (document.querySelector("#product-timezone") as HTMLSelectElement).value === "Asia/Tokyo");
    await page.fill("#product-name", "Browser Shop");
    await screenshot(page, "products-01-new");
    await page.click("button:has-text('Create product')");
    await page.waitForSelector("text=Browser Shop is ready");
    const key = (await page.textContent("[data-testid=new-key]"))!.trim();
    expect(key).toMatch(/^lk_[a-z0-9]{52}$/);

    // ── copy the key ──
    await page.click("button[aria-label='Copy API key']");
    await page.waitForSelector("button[aria-label='Copy API key'] >> text=Copied");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await screenshot(page, "products-02-key-created");
    expect(await probe.ingest(key)).not.toBeOneOf([401, 403]);
    const productId = /\/products\/([a-z0-9]+)\/settings\/keys/.exec(await page.getAttribute("a:has-text('Manage keys')", "href") ?? "")![1]!;

    // ── regenerate, with its confirmation ──
    await page.goto(`${server.url}/products/${productId}/settings/keys`);
    expect(await page.textContent("[data-testid=keys-table]")).toContain(`${key.slice(0, 7)}…${key.slice(-4)}`);
    await page.click("[data-testid=regenerate] summary");
    await screenshot(page, "products-03-regenerate-confirm");
    await page.click("button:has-text('Regenerate key')");
    await page.waitForSelector("[data-testid=key-revealed]");
    const fresh = (await page.textContent("[data-testid=new-key]"))!.trim();
    expect(fresh).not.toBe(key);
    expect(await probe.ingest(key)).toBe(401);
    expect(await probe.ingest(fresh)).not.toBeOneOf([401, 403]);
    expect(page.url()).toEndWith("/settings/keys"); // swapped in place by htmx
    await screenshot(page, "products-04-regenerated");

    // ── invite ──
    await page.click("nav.tabs >> text=Members");
    await page.fill("#invite-email", "teammate@browser.test");
    await page.click("button:has-text('Send invite')");
    await page.waitForSelector("text=Invite sent to teammate@browser.test");
    expect(await page.textContent("[data-testid=invites]")).toContain("teammate@browser.test");
    await screenshot(page, "products-05-invited");
    const mail = await smtp.waitFor((m) => (m.text ?? "").includes("/invites/"));
    const link = linkIn(mail, `${server.url}/invites/`);

    // ── accept in a second browser context ──
    const other = await signedIn(teammate.id, "Europe/Berlin");
    await other.page.goto(link);
    await other.page.waitForSelector("text=Join Browser Shop");
    await screenshot(other.page, "products-06-invite-landing");
    await other.page.click("button:has-text('Accept invite')");
    await other.page.waitForURL(`${server.url}/products/${productId}`);
    await other.page.goto(`${server.url}/products/${productId}/settings/members`);
    expect(await other.page.textContent("[data-testid=members-table]")).toContain("teammate@browser.test");
    expect(await other.page.locator("#invite-email").count()).toBe(0); // members don't manage the team
    await screenshot(other.page, "products-07-member-view");

    // ── remove ──
    await page.reload();
    const row = page.locator("tr[data-member='teammate@browser.test']");
    await row.locator("[data-testid=remove-member] summary").click();
    await row.locator("button:has-text('Remove member')").click();
    await page.waitForSelector("text=teammate@browser.test was removed");
    await screenshot(page, "products-08-removed");
    const after = await other.page.goto(`${server.url}/products/${productId}/settings/members`);
    expect(after!.status()).toBe(404);

    // ── the danger zone's button waits for the exact name ──
    await page.click("nav.tabs >> text=General");
    const del = page.locator("button:has-text('Delete this product')");
    expect(await del.isDisabled()).toBe(true);
    await page.fill("#delete-confirm", "Browser Shop");
    expect(await del.isDisabled()).toBe(false);
    await screenshot(page, "products-09-danger-zone");

    // ── the switcher lists the product; a phone and the dark theme look finished too ──
    await page.click("[data-testid=product-switcher] summary");
    expect(await page.textContent("[data-testid=product-switcher] .switcher-menu")).toContain("Browser Shop");
    await screenshot(page, "products-10-switcher");
    await page.keyboard.press("Escape");
    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${server.url}/products/${productId}/settings/keys`);
    await page.click("[data-testid=revoke] summary");
    await screenshot(page, "products-11-keys-375");
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.goto(`${server.url}/products/${productId}/settings/members`);
    await screenshot(page, "products-12-members-dark");

    expect(owner.errors).toEqual([]);
    expect(other.errors).toEqual([]);
  }, 90_000);
});
