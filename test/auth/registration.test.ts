import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { fixedClock } from "../../src/lib/clock";
import { findUserByEmail } from "../../src/auth/users";
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
    const before = smtp.messages.length;
    const fresh = await new Visitor(server).post("/register?next=%2Finvites%2Fx", { email: "fresh@example.com", password: PASSWORD });
    const taken = await new Visitor(server).post("/register?next=%2Finvites%2Fx", { email: "TAKEN@example.com", password: "another password" });
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
