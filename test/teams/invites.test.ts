import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { startSmtpSink, linkIn, type SmtpSink } from "../helpers/smtp";
import { makeProductWithKeys } from "../helpers/factories";
import { signIn, type Client } from "../helpers/sign-in";
import { testIdText, unescapeHtml } from "../helpers/html";
import { makeUser } from "../helpers/factories";
import { createInvite, INVITE_TTL_MS } from "../../src/teams/invites";
import { getUser } from "../../src/auth/users";
import { loginThroughApp, registerThroughApp } from "./register";

describe("inviting teammates", () => {
  let smtp: SmtpSink;
  let server: TestServer;
  let owned: Awaited<ReturnType<typeof makeProductWithKeys>>;
  let owner: Client;
  const invitesUrl = () => `/products/${owned.product.id}/settings/invites`;
  const membersUrl = () => `/products/${owned.product.id}/settings/members`;
  const htmx = { "HX-Request": "true" };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    server = await startTestServer({ env: { SMTP_URL: smtp.url } });
    owned = await makeProductWithKeys(server.deps, { name: "Team Product" });
    owner = signIn(server, owned.user.id);
  });
  afterAll(async () => {
    await server.stop();
    await smtp.stop();
  });

  const invite = async (email: string) => {
    const res = await owner.post(invitesUrl(), { email }, htmx);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`Invite sent to ${email.toLowerCase()}`);
    const mail = await smtp.waitFor((m) => m.to !== undefined && JSON.stringify(m.to).includes(email.toLowerCase()) && (m.text ?? "").includes("/invites/"));
    expect(mail.subject).toContain("Team Product");
    expect(mail.html || "").toContain("Accept the invite");
    return linkIn(mail, `${server.url}/invites/`).slice(server.url.length);
  };

  test("an existing user accepts: one click, the product is theirs to use; the link works once", async () => {
    await makeUser(server, { email: "existing@example.com" });
    const link = await invite("Existing@Example.com");
    // signed out, they follow "I already have an account", sign in, and land back on the invite
    const landing = unescapeHtml(await (await server.fetch(link)).text());
    const loginHref = /href="(\/login\?[^"]+)"/.exec(landing)![1]!;
    const member = await loginThroughApp(server, loginHref, "existing@example.com", "correct horse battery");

    expect((await member.get(membersUrl())).status).toBe(404); // not yet
    const page = await member.get(link);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="invite-ready"');
    expect(html).toContain("Join Team Product");

    const accepted = await member.post(`${link}/accept`);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe(`/products/${owned.product.id}`);
    expect((await member.get(membersUrl())).status).toBe(200);
    expect(await (await member.get("/products")).text()).toContain("Team Product");

    const again = await member.get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("already been used");
    expect((await member.post(`${link}/accept`)).status).toBe(410);

    const ownerView = await (await owner.get(membersUrl())).text();
    expect(ownerView).toContain('data-member="existing@example.com"');
    expect(ownerView).toContain("No pending invites.");
  });

  test("a new person registers first, then accepts (the link passes through registration)", async () => {
    const link = await invite("newcomer@example.com");
    const anonymous = await server.fetch(link);
    expect(anonymous.status).toBe(200);
    const html = unescapeHtml(await anonymous.text());
    expect(html).toContain('data-testid="invite-anonymous"');
    const registerHref = /href="(\/register\?[^"]+)"/.exec(html)![1]!;
    const params = new URL(registerHref, server.url).searchParams;
    expect(params.get("next")).toBe(link);
    expect(params.get("email")).toBe("newcomer@example.com");

    const { userId, client, verifiedAtFirst } = await registerThroughApp(server, registerHref, "newcomer@example.com");
    expect(verifiedAtFirst).toBeNull();
    // registration mailed a verification link too; the invite makes it unnecessary
    await smtp.waitFor((m) => JSON.stringify(m.to).includes("newcomer@example.com") && !(m.text ?? "").includes("/invites/"));
    const page = await client.get(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-testid="invite-ready"');
    const accepted = await client.post(`${link}/accept`);
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("Location")).toBe(`/products/${owned.product.id}`);
    expect((await client.get(membersUrl())).status).toBe(200);
    // following the mailed link proved the address
    expect(getUser(server.deps.db, userId)!.emailVerifiedAt).not.toBeNull();
  });

  test("a new person registers, then opens the verification mail: they land on the invited product, a member", async () => {
    const link = await invite("verifier@example.com");
    const registerHref = /href="(\/register\?[^"]+)"/.exec(unescapeHtml(await (await server.fetch(link)).text()))![1]!;
    const { client } = await registerThroughApp(server, registerHref, "verifier@example.com");
    const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes("verifier@example.com") && /Confirm your email/.test(m.subject ?? ""));
    const verify = linkIn(mail, `${server.url}/verify-email/`).slice(server.url.length);
    const res = await client.get(verify);
    expect(res.status).toBe(303);
    expect(res.headers.get("Location")).toBe(`/products/${owned.product.id}`);
    const home = await client.get(`/products/${owned.product.id}`);
    expect(home.status).toBe(200);
    expect(await home.text()).not.toContain("Create your first product");
    expect((await client.get(link)).status).toBe(410); // the invite was used
  });

  test("opened in another browser, the verification page's button still leads to the invite", async () => {
    const link = await invite("elsewhere@example.com");
    const registerHref = /href="(\/register\?[^"]+)"/.exec(unescapeHtml(await (await server.fetch(link)).text()))![1]!;
    await registerThroughApp(server, registerHref, "elsewhere@example.com");
    const mail = await smtp.waitFor((m) => JSON.stringify(m.to).includes("elsewhere@example.com") && /Confirm your email/.test(m.subject ?? ""));
    const page = await server.fetch(linkIn(mail, `${server.url}/verify-email/`).slice(server.url.length));
    expect(page.status).toBe(200);
    const signInHref = unescapeHtml(/class="btn btn-primary btn-large btn-block" href="([^"]+)"/.exec(await page.text())![1]!);
    expect(new URL(signInHref, server.url).searchParams.get("next")).toBe(link);
  });

  test("an invite is bound to its address: another signed-in user gets a clear page and no access", async () => {
    const link = await invite("bound@example.com");
    const stranger = signIn(server, (await makeUser(server, { email: "stranger@example.com" })).id);
    const page = await stranger.get(link);
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain("This invite is for another account");
    expect(html).toContain("bound@example.com");
    expect(html).toContain("stranger@example.com");
    expect((await stranger.post(`${link}/accept`)).status).toBe(403);
    expect((await stranger.get(membersUrl())).status).toBe(404);
    // the rightful invitee can still use it
    const rightful = signIn(server, (await makeUser(server, { email: "bound@example.com" })).id);
    expect((await rightful.post(`${link}/accept`)).status).toBe(303);
  });

  test("cancelled, replaced, expired and made-up links each get a page that says so", async () => {
    const first = await invite("twice@example.com");
    smtp.messages.length = 0;
    const second = await invite("twice@example.com");
    expect(second).not.toBe(first);
    expect((await server.fetch(first)).status).toBe(410); // re-inviting cancels the older link
    const ownerView = await (await owner.get(membersUrl())).text();
    expect(ownerView.match(/data-invite="twice@example.com"/g)).toHaveLength(1);

    const inviteId = /invites\/([a-z0-9]+)\/cancel/.exec(ownerView)![1]!;
    const cancelled = await owner.post(`${invitesUrl()}/${inviteId}/cancel`, {}, htmx);
    expect(await cancelled.text()).toContain("was cancelled");
    const after = await server.fetch(second);
    expect(after.status).toBe(410);
    expect(await after.text()).toContain("cancelled by the product");

    const { token } = createInvite(
      server.deps.db,
      { productId: owned.product.id, email: "late@example.com", invitedBy: owned.user.id },
      server.deps.clock.now() - INVITE_TTL_MS - 1000,
    );
    const expired = await server.fetch(`/invites/${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("expired");
    expect((await server.fetch("/invites/madeup")).status).toBe(404);
  });

  test("removal takes effect on the member's very next request", async () => {
    const teammate = await makeUser(server, { email: "removable@example.com" });
    const link = await invite("removable@example.com");
    const member = signIn(server, teammate.id);
    expect((await member.post(`${link}/accept`)).status).toBe(303);
    expect((await member.get(`/products/${owned.product.id}/settings`)).status).toBe(200);

    const removed = await owner.post(`${membersUrl()}/${teammate.id}/remove`, {}, htmx);
    expect(removed.status).toBe(200);
    expect(await removed.text()).toContain("removable@example.com was removed");
    expect((await member.get(`/products/${owned.product.id}/settings`)).status).toBe(404);
    expect(await (await member.get("/products")).text()).not.toContain("Team Product");
    // the owner cannot be removed, and a member cannot manage the team
    expect((await owner.post(`${membersUrl()}/${owned.user.id}/remove`, {}, htmx)).status).toBe(400);
  });

  test("owner-only: members cannot invite; inviting a member or a bad address is an error beside the field", async () => {
    const teammate = await makeUser(server, { email: "plain-member@example.com" });
    const link = await invite("plain-member@example.com");
    const member = signIn(server, teammate.id);
    await member.post(`${link}/accept`);
    expect((await member.post(invitesUrl(), { email: "someone@example.com" })).status).toBe(403);
    const view = await (await member.get(membersUrl())).text();
    expect(view).not.toContain('id="invite-email"');

    const dup = await owner.post(invitesUrl(), { email: "plain-member@example.com" }, htmx);
    expect(dup.status).toBe(422);
    expect(await dup.text()).toContain("already a member");
    const bad = await owner.post(invitesUrl(), { email: "not an email" }, htmx);
    expect(bad.status).toBe(422);
    expect(testIdText(await bad.text(), "invite-link")).toBeUndefined();
  });
});

describe("inviting without a mail server", () => {
  test("the owner gets the link to pass on (it is bound to the address all the same)", async () => {
    const server = await startTestServer();
    try {
      const owned = await makeProductWithKeys(server.deps);
      const owner = signIn(server, owned.user.id);
      const res = await owner.post(`/products/${owned.product.id}/settings/invites`, { email: "offline@example.com" }, { "HX-Request": "true" });
      const html = await res.text();
      expect(html).toContain("No mail server is configured");
      const link = testIdText(html, "invite-link")!;
      expect(link).toStartWith(`${server.url}/invites/`);
      expect((await server.fetch(link.slice(server.url.length))).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
