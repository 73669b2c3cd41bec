import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot } from "../helpers/browser";
import { startTestServer, type TestServer } from "../helpers/server";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { createUser } from "../../src/auth/users";
import { signInBrowser } from "../helpers/sign-in";
import { createProduct } from "../../src/products/products";

/**
 * In headless Chromium: register → open the mailed link (on a "phone") → sign in → the empty
 * state → sign out; screenshots at 1280 and 375 px, light and dark, in test/artifacts/.
 */
describe("accounts in a browser", () => {
  let server: TestServer;
  let smtp: SmtpSink;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: smtp.url, GOOGLE_CLIENT_ID: "id", GOOGLE_CLIENT_SECRET: "secret" } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await server?.stop();
    await smtp?.stop();
  });

  /** A page whose script errors and CSP violations fail the test. */
  const open = async (opts: { width: number; dark?: boolean }) => {
    const context = await browser.newContext({ viewport: { width: opts.width, height: opts.width < 500 ? 780 : 860 }, colorScheme: opts.dark ? "dark" : "light" });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    // 4xx answers are part of the flows (a 422 form, a 401 sign-in); CSP violations and script errors are not.
    page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && errors.push(m.text()));
    return { context, page, errors };
  };
  const shot = (page: Page, name: string) => screenshot(page, `auth-${name}`);

  test("register → mailed link → sign in → empty state → sign out", async () => {
    const email = "founder@browser.test";
    const desk = await open({ width: 1280 });
    const { page } = desk;

    await page.goto(`${server.url}/register`);
    await shot(page, "01-register-1280-light");
    await page.fill("#register-email", email);
    await page.fill("#register-password", "short");
    await page.click("button:has-text('Create account')");
    // htmx swaps the form in place with the message beside the password.
    await page.waitForSelector("#register-password-error");
    expect(await page.textContent("#register-password-error")).toContain("at least 8 characters");
    expect(await page.inputValue("#register-email")).toBe(email);
    await shot(page, "02-register-error-1280-light");
    await page.fill("#register-password", "a long enough passphrase");
    await page.click("button:has-text('Create account')");
    await page.waitForSelector("text=Check your inbox");
    expect(new URL(page.url()).pathname).toBe("/verify-email");
    await shot(page, "03-check-inbox-1280-light");

    // The mail arrives; its link is opened on a phone in dark mode.
    const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes(email));
    const link = linkIn(mail, `${server.url}/verify-email/`);
    // What the mail looks like (600 px, tokens inline), next to the pages.
    const mailView = await open({ width: 700 });
    await mailView.page.setContent(mail.html || "");
    await shot(mailView.page, "00-mail-verify");
    const phone = await open({ width: 375, dark: true });
    await phone.page.goto(link);
    await phone.page.waitForSelector("text=Email confirmed");
    await shot(phone.page, "04-verified-375-dark");
    await phone.page.click("text=Sign in");
    await phone.page.waitForSelector("[data-testid=login-form]");
    expect(await phone.page.inputValue("#login-email")).toBe(email);
    await phone.page.fill("#login-password", "not my password");
    await phone.page.click("button:has-text('Sign in')");
    await phone.page.waitForSelector("[data-testid=form-error]");
    await shot(phone.page, "05-login-error-375-dark");
    await phone.page.fill("#login-password", "a long enough passphrase");
    await phone.page.click("button:has-text('Sign in')");
    await phone.page.waitForSelector("[data-testid=home-empty]");
    expect(new URL(phone.page.url()).pathname).toBe("/");
    expect(await phone.page.textContent("[data-testid=home-empty] h1")).toContain("Create your first product");
    expect(await phone.page.getAttribute("[data-testid=home-empty] a.btn-primary", "href")).toBe("/products/new");
    await shot(phone.page, "06-home-empty-375-dark");
    await phone.page.click("[data-testid=user-menu] summary");
    await shot(phone.page, "07-user-menu-375-dark");
    await phone.page.click("[data-testid=sign-out]");
    await phone.page.waitForSelector("[data-testid=login-form]");
    expect(new URL(phone.page.url()).pathname).toBe("/login");
    await phone.page.goto(`${server.url}/`);
    expect(new URL(phone.page.url()).pathname).toBe("/login"); // really signed out

    // Back at the desk (still signed in there): the empty state, then dark mode by the toggle.
    await page.goto(`${server.url}/`);
    await page.waitForSelector("[data-testid=home-empty]");
    await shot(page, "08-home-empty-1280-light");
    await page.click("[data-testid=user-menu] summary");
    await page.click("button[data-theme-choice=dark]");
    expect(await page.getAttribute("html", "data-theme")).toBe("dark");
    await shot(page, "09-user-menu-1280-dark");
    await page.keyboard.press("Escape");
    await page.reload();
    expect(await page.getAttribute("html", "data-theme")).toBe("dark"); // kept in localStorage, applied before paint
    await shot(page, "10-home-empty-1280-dark");
    await page.click("[data-testid=user-menu] summary");
    await page.click("[data-testid=sign-out]");
    await page.waitForSelector("[data-testid=login-form]");
    await shot(page, "11-login-1280-dark");

    expect(desk.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
  }, 90_000);

  test("the auth pages at 375 px light and 1280 px dark", async () => {
    const small = await open({ width: 375 });
    for (const [path, name] of [
      ["/login", "login"],
      ["/register", "register"],
      ["/reset-password", "reset"],
    ] as const) {
      await small.page.goto(`${server.url}${path}`);
      await shot(small.page, `12-${name}-375-light`);
    }
    const wide = await open({ width: 1280, dark: true });
    await wide.page.goto(`${server.url}/reset-password`);
    await wide.page.fill("#reset-email", "someone@browser.test");
    await wide.page.click("button:has-text('Send reset link')");
    await wide.page.waitForSelector("[data-testid=reset-sent]");
    await shot(wide.page, "13-reset-sent-1280-dark");
    await wide.page.goto(`${server.url}/verify-email/made-up-token`);
    await shot(wide.page, "14-link-invalid-1280-dark");
    await wide.page.goto(`${server.url}/no-such-page`);
    await shot(wide.page, "15-not-found-1280-dark");

    // A user with products sees them listed on the home page, and in the header's switcher.
    const owner = await createUser(server.deps.db, { email: "owner@browser.test", password: "correct horse battery", verified: true }, server.deps.clock.now());
    for (const name of ["Acme web app", "Billing service", "Zed mobile"]) createProduct(server.deps.db, { ownerId: owner.id, name }, server.deps.clock.now());
    const listed = await open({ width: 1280 });
    await signInBrowser(listed.context, server, owner.id);
    await listed.page.goto(`${server.url}/`);
    expect(await listed.page.locator("[data-testid=product-list] li").count()).toBe(3);
    await listed.page.click("[data-testid=product-switcher] summary");
    await shot(listed.page, "16-home-products-1280-light");
    expect(listed.errors).toEqual([]);

    // Nothing overflows sideways at 375 px.
    await small.page.goto(`${server.url}/register`);
    expect(await small.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(small.errors).toEqual([]);
    expect(wide.errors).toEqual([]);
  }, 60_000);
});
