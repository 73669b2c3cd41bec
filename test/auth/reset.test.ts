import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { linkIn, startSmtpSink, type SmtpSink } from "../helpers/smtp";
import { fixedClock } from "../../src/lib/clock";
import { createUser, findUserByEmail } from "../../src/auth/users";
import { PASSWORD, redirectPath, Visitor } from "./support";

const clock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
let server: TestServer;
let smtp: SmtpSink;
const resetMailTo = (to: string) => (m: { to?: unknown; subject?: string }) => JSON.stringify(m.to).includes(to) && /Reset your LiteKPI password/.test(m.subject ?? "");

beforeAll(async () => {
  smtp = await startSmtpSink();
  server = await startTestServer({ env: { SMTP_URL: smtp.url }, clock });
  await createUser(server.deps.db, { email: "kay@example.com", password: PASSWORD, verified: true }, clock.now());
  await createUser(server.deps.db, { email: "unverified@example.com", password: PASSWORD, verified: false }, clock.now());
});
afterAll(async () => {
  await server.stop();
  await smtp.stop();
});

describe("password reset", () => {
  test("known and unknown addresses get the same answer; only the known one gets mail", async () => {
    const known = await new Visitor(server).post("/reset-password", { email: "kay@example.com" });
    const unknown = await new Visitor(server).post("/reset-password", { email: "ghost@example.com" });
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    const strip = (html: string) => html.replace(/kay@example\.com|ghost@example\.com/g, "EMAIL");
    expect(strip(await known.text())).toBe(strip(await unknown.text()));
    await smtp.waitFor(resetMailTo("kay@example.com"));
    await Bun.sleep(200);
    expect(smtp.messages.some(resetMailTo("ghost@example.com"))).toBe(false);
  });

  test("the mailed link sets a new password; the old password and every old session stop working", async () => {
    const laptop = new Visitor(server);
    const phone = new Visitor(server);
    await laptop.post("/login", { email: "kay@example.com", password: PASSWORD });
    await phone.post("/login", { email: "kay@example.com", password: PASSWORD });
    expect((await phone.get("/")).status).toBe(200);

    const before = smtp.messages.length;
    await new Visitor(server).post("/reset-password", { email: "kay@example.com" });
    const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && resetMailTo("kay@example.com")(m));
    const link = new URL(linkIn(mail, `${server.url}/reset-password/`)).pathname;
    expect(mail.html || "").toContain("Choose a new password");

    const resetter = new Visitor(server);
    const form = await resetter.get(link);
    expect(form.status).toBe(200);
    expect(form.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(await form.text()).toContain("Choose a new password");

    const tooShort = await resetter.post(link, { password: "short" }, { "HX-Request": "true" });
    expect(tooShort.status).toBe(422);
    expect(await tooShort.text()).toContain("Use at least 8 characters");

    const done = await resetter.post(link, { password: "a brand new passphrase" });
    expect(done.status).toBe(303);
    expect(redirectPath(done)).toBe("/");
    expect((await resetter.get("/")).status).toBe(200); // the resetter is signed in

    // Sessions from before the reset are gone.
    expect(redirectPath(await laptop.get("/"))).toBe("/login");
    expect(redirectPath(await phone.get("/"))).toBe("/login");
    // The old password fails with the usual words; the new one works.
    expect((await new Visitor(server).post("/login", { email: "kay@example.com", password: PASSWORD })).status).toBe(401);
    expect((await new Visitor(server).post("/login", { email: "kay@example.com", password: "a brand new passphrase" })).status).toBe(303);

    // The link works once.
    const again = await new Visitor(server).get(link);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain("This link was already used");
    const replay = await new Visitor(server).post(link, { password: "yet another passphrase" });
    expect(redirectPath(replay)).toBe(link);
  });

  test("a reset link expires after an hour, and a newer link replaces an older one", async () => {
    const ask = async () => {
      const before = smtp.messages.length;
      await new Visitor(server).post("/reset-password", { email: "kay@example.com" });
      const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && resetMailTo("kay@example.com")(m));
      return new URL(linkIn(mail, `${server.url}/reset-password/`)).pathname;
    };
    const first = await ask();
    const second = await ask();
    expect((await new Visitor(server).get(first)).status).toBe(410); // superseded
    clock.advance(3600_000 + 1);
    const expired = await new Visitor(server).get(second);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain("This link has expired");
  });

  test("resetting proves the address, so an unverified account becomes verified", async () => {
    const before = smtp.messages.length;
    await new Visitor(server).post("/reset-password", { email: "unverified@example.com" });
    const mail = await smtp.waitFor((m) => smtp.messages.indexOf(m) >= before && resetMailTo("unverified@example.com")(m));
    const link = new URL(linkIn(mail, `${server.url}/reset-password/`)).pathname;
    await new Visitor(server).post(link, { password: "another fine passphrase" });
    expect(findUserByEmail(server.deps.db, "unverified@example.com")?.emailVerifiedAt).not.toBeNull();
  });

  test("a malformed address is pointed out; nothing is sent", async () => {
    const res = await new Visitor(server).post("/reset-password", { email: "not an email" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Enter a valid email address");
  });
});
