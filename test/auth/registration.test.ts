import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { fixedClock } from "../../src/lib/clock";
import { findUserByEmail } from "../../src/auth/users";
import { SESSION_COOKIE, validateSessionToken } from "../../src/auth/session";
import { createProduct } from "../../src/products/products";
import { PASSWORD, redirectPath, registerVisitor, Visitor } from "./support";

const clock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
let server: TestServer;
let smtp: SmtpSink;
const forTo = (to: string) => (m: { to?: unknown; subject?: string }) => JSON.stringify(m.to).includes(to) && /Confirm your email/.test(m.subject ?? "");

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock });
});
afterAll(async () => {
  await server.stop();
  await smtp.stop();
});

describe("registration and email verification", () => {
  test("registering mails a real verification link that works once", async () => {
    const email = "ada@example.com";
    const visitor = await registerVisitor(server, email);
    expect(findUserByEmail(server.deps.db, email)?.emailVerifiedAt).toBeNull();

    // Signed in but unverified: every page sends them to "check your inbox".
    const home = await visitor.get("/");
    expect(redirectPath(home)).toBe("/verify-email");
    const inbox = await visitor.get("/verify-email");
    const inboxHtml = await inbox.text();
    expect(inboxHtml).toContain("Check your inbox");
    expect(inboxHtml).toContain(email);

    const mail = await smtp.waitFor(forTo(email));
    const link = linkIn(mail, `${server.url}/verify-email/`);
    expect(mail.html || "").toContain(link); // the HTML and the plain-text twin carry the same link

    const first = await visitor.get(new URL(link).pathname);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain("Email confirmed");
    expect(findUserByEmail(server.deps.db, email)?.emailVerifiedAt).toBe(clock.now());
    expect(redirectPath(await visitor.get("/"))).toBeNull(); // home now answers

    const second = await new Visitor(server).get(new URL(link).pathname);
    expect(second.status).toBe(410);
    const secondHtml = await second.text();
    expect(secondHtml).toContain("This link was already used");
    expect(secondHtml).toContain("already confirmed");
  });

  test("an expired link fails with a clear page, and a resend mails a new one that works", async () => {
    const email = "grace@example.com";
    const visitor = await registerVisitor(server, email);
    const old = linkIn(await smtp.waitFor(forTo(email)), `${server.url}/verify-email/`);

    clock.advance(24 * 3600_000 + 1000);
    const expired = await visitor.get(new URL(old).pathname);
    expect(expired.status).toBe(410);
    const html = await expired.text();
    expect(html).toContain("This link has expired");
    expect(html).toContain("Get a new link");
    expect(findUserByEmail(server.deps.db, email)?.emailVerifiedAt).toBeNull();

    const before = smtp.messages.length;
    const resent = await visitor.post("/verify-email/resend");
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain("We sent a new link");
    const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && forTo(email)(m));
    const fresh = linkIn(mail, `${server.url}/verify-email/`);
    expect(fresh).not.toBe(old);
    expect((await visitor.get(new URL(fresh).pathname)).status).toBe(200);
    expect(findUserByEmail(server.deps.db, email)?.emailVerifiedAt).not.toBeNull();
  });

  test("a made-up link is refused without touching any account", async () => {
    const res = await new Visitor(server).get("/verify-email/notarealtoken");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("This link is not valid");
  });

  test("form errors come back beside their inputs, as a fragment for htmx", async () => {
    const visitor = new Visitor(server);
    const short = await visitor.post("/register", { email: "lin@example.com", password: "short" }, { "HX-Request": "true" });
    expect(short.status).toBe(422);
    const html = await short.text();
    expect(html.startsWith("<form")).toBe(true);
    expect(html).toContain("Use at least 8 characters");
    expect(html).toContain('value="lin@example.com"');
    expect(short.headers.get("Vary")).toContain("HX-Request");

    const bad = await visitor.post("/register", { email: "not-an-email", password: PASSWORD });
    expect(bad.status).toBe(422);
    const page = await bad.text();
    expect(page).toContain("<!doctype html>");
    expect(page).toContain("Enter a valid email address");
    expect(findUserByEmail(server.deps.db, "not-an-email")).toBeUndefined();
  });

  test("a taken address answers exactly like a new one; its owner is mailed instead (no enumeration)", async () => {
    const owner = await registerVisitor(server, "taken@example.com");
    await smtp.waitFor(forTo("taken@example.com"));
    const ownerUser = findUserByEmail(server.deps.db, "taken@example.com")!;
    const ownerProduct = createProduct(server.deps.db, { ownerId: ownerUser.id, name: "Owner secret product" }, clock.now());
    const ownerSessions = () => server.deps.db.$client.query("SELECT id FROM sessions WHERE user_id = ?").all(ownerUser.id);
    const sessionsBefore = ownerSessions();
    const before = smtp.messages.length;
    const freshVisitor = new Visitor(server);
    const takenVisitor = new Visitor(server);
    const fresh = await freshVisitor.post("/register?next=%2Finvites%2Fx", { email: "fresh@example.com", password: PASSWORD, name: "Pat" });
    const taken = await takenVisitor.post("/register?next=%2Finvites%2Fx", { email: "TAKEN@example.com", password: "another password", name: "Pat" });
    for (const res of [fresh, taken]) {
      expect(res.status).toBe(303);
      expect(res.headers.get("Location")).toBe("/invites/x");
      expect(res.headers.getSetCookie().map((c) => c.replace(/=[^;]*/, "=…"))).toEqual([fresh.headers.getSetCookie()[0]!.replace(/=[^;]*/, "=…")]);
      expect(await res.text()).toBe("");
    }
    const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && JSON.stringify(m.to).includes("taken@example.com"));
    expect(mail.subject).toBe("You already have a LiteKPI account");
    expect(mail.text).toContain(`${server.url}/login?email=taken%40example.com`);
    expect(mail.text).toContain(`${server.url}/reset-password?email=taken%40example.com`);

    // Everything that follows, for as long as each keeps its cookie, looks the same apart from
    // the address itself: the next pages, the resend button, redirects and signing out.
    const observe = async (res: Response, email: string) => {
      const mask = (s: string) => s.replaceAll(email, "EMAIL").replaceAll(encodeURIComponent(email), "EMAIL");
      const cookies = res.headers.getSetCookie().map((c) => c.replace(/=[^;]*/, "=…"));
      return { status: res.status, location: res.headers.get("Location"), hx: res.headers.get("HX-Redirect"), type: res.headers.get("Content-Type"), cookies, text: mask(await res.text()) };
    };
    const queryAs = (v: Visitor, body: unknown) =>
      server.fetch("/api/v1/query", {
        method: "POST",
        headers: { Cookie: `${SESSION_COOKIE}=${v.session}`, Origin: server.url, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const walk: [string, (v: Visitor) => Promise<Response>][] = [
      ["the redirect target", (v) => v.get("/invites/x")],
      ["check your inbox", (v) => v.get("/verify-email")],
      ["resend", (v) => v.post("/verify-email/resend")],
      ["resend (htmx)", (v) => v.post("/verify-email/resend", {}, { "HX-Request": "true" })],
      ["home", (v) => v.get("/")],
      ["the owner's product page", (v) => v.get(`/products/${ownerProduct.id}`)],
      ["the owner's product as JSON", (v) => v.get(`/products/${ownerProduct.id}`, { Accept: "application/json" })],
      ["the owner's data by the query API", (v) => queryAs(v, { product: ownerProduct.id, metric: "signups", aggregation: "sum", range: "7d" })],
      ["the sign-in page", (v) => v.get("/login")],
      ["a missing page (header, user menu)", (v) => v.get("/no-such-page")],
      ["sign out", (v) => v.post("/logout")],
      ["after signing out", (v) => v.get("/verify-email")],
    ];
    const mailsBeforeWalk = smtp.messages.length;
    for (const [step, go] of walk) {
      const a = await observe(await go(freshVisitor), "fresh@example.com");
      const b = await observe(await go(takenVisitor), "taken@example.com");
      expect({ step, ...b }).toEqual({ step, ...a });
      expect(b.text).not.toContain("Owner secret product");
      if (step === "check your inbox") expect(b.text).toContain("Check your inbox");
      if (step === "check your inbox") expect(b.text).toContain("EMAIL");
      if (step === "resend") expect(b.text).toContain("We sent a new link to EMAIL");
      if (step === "the owner's product page") expect(b.location).toBe("/verify-email");
      if (step === "the owner's product as JSON") expect(b.status).toBe(403);
      if (step === "the owner's data by the query API") expect(b.status).toBe(404);
      if (step === "after signing out") expect(b.location).toBe("/login?next=%2Fverify-email");
    }
    expect(takenVisitor.session).toBeNull(); // signing out cleared the cookie, as for the new account
    // Each resend mailed: the new address its link, the owner the note again (never the typed address' link).
    const mailsTo = (to: string) => smtp.messages.slice(mailsBeforeWalk).filter((m) => JSON.stringify(m.to).includes(to));
    for (let i = 0; i < 50 && mailsTo("taken@example.com").length < 2; i++) await Bun.sleep(20);
    const toOwner = mailsTo("taken@example.com");
    expect(mailsTo("fresh@example.com").map((m) => m.subject)).toEqual([expect.stringContaining("Confirm your email"), expect.stringContaining("Confirm your email")]);
    expect(toOwner.map((m) => m.subject)).toEqual(["You already have a LiteKPI account", "You already have a LiteKPI account"]);
    // The decoy was never one of the owner's sessions, and the owner's sessions are untouched.
    expect(validateSessionToken(server.deps.db, taken.headers.getSetCookie()[0]!.split(";")[0]!.split("=")[1]!, clock.now())).toBeNull();
    expect(ownerSessions()).toEqual(sessionsBefore);
    // the account is untouched: the old password still signs in, the new one does not
    expect((await new Visitor(server).post("/login", { email: "taken@example.com", password: "another password" })).status).toBe(401);
    expect((await new Visitor(server).post("/login", { email: "taken@example.com", password: PASSWORD })).status).toBe(303);
    expect(redirectPath(await owner.get("/"))).toBe("/verify-email"); // the owner's session is still theirs
  });

  test("registering from an invite goes back to the invite page, with only safe targets", async () => {
    const v = new Visitor(server);
    const ok = await v.post("/register?next=%2Finvites%2Fabc", { email: "ivy@example.com", password: PASSWORD });
    expect(redirectPath(ok)).toBe("/invites/abc");
    const evil = await new Visitor(server).post("/register", { email: "eve@example.com", password: PASSWORD, next: "//evil.example/x" });
    expect(redirectPath(evil)).toBe("/verify-email");
  });
});
