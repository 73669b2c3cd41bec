import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { createUser, findUserByEmail } from "../../src/auth/users";
import { sessions } from "../../src/db/schema";
import { BAD_CREDENTIALS } from "../../src/auth/routes";
import { PASSWORD, redirectPath, Visitor } from "./support";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const now = server.deps.clock.now();
  await createUser(server.deps.db, { email: "verified@example.com", password: PASSWORD, verified: true }, now);
  await createUser(server.deps.db, { email: "pending@example.com", password: PASSWORD, verified: false }, now);
  await createUser(server.deps.db, { email: "oauth-only@example.com", verified: true }, now);
});
afterAll(() => server.stop());

const escaped = (s: string) => s.replaceAll("'", "&#39;");

describe("sign in", () => {
  test("anonymous visitors are sent from / to the sign-in page", async () => {
    const res = await new Visitor(server).get("/");
    expect(res.status).toBe(302);
    expect(redirectPath(res)).toBe("/login");
    const page = await (await new Visitor(server).get("/login")).text();
    expect(page).toContain("Sign in");
    expect(page).toContain("Self-hosted KPIs"); // the product's name and one line of what it is
    expect(page).not.toContain("Continue with Google"); // no OAuth configured here
  });

  const refusals: [string, string, string][] = [
    ["a wrong password", "verified@example.com", "not the password"],
    ["an unknown email", "nobody@example.com", PASSWORD],
    ["an account without a password (OAuth only)", "oauth-only@example.com", PASSWORD],
  ];
  for (const [name, email, password] of refusals) {
    test(`${name} gets the same words, and no session`, async () => {
      const visitor = new Visitor(server);
      const res = await visitor.post("/login", { email, password });
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).toContain(escaped(BAD_CREDENTIALS));
      expect(html).toContain(`value="${email}"`); // the address stays in the form
      expect(visitor.session).toBeNull();
    });
  }

  test("the htmx form gets only the form back, with the message in place", async () => {
    const res = await new Visitor(server).post("/login", { email: "nobody@example.com", password: "x" }, { "HX-Request": "true" });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html.startsWith("<form")).toBe(true);
    expect(html).toContain('role="alert"');
  });

  test("a verified user lands on the home page, signed in; the old session cookie is replaced", async () => {
    const visitor = new Visitor(server);
    await visitor.post("/login", { email: "verified@example.com", password: PASSWORD });
    const first = visitor.session;
    const res = await visitor.post("/login", { email: "Verified@Example.com ", password: PASSWORD });
    expect(res.status).toBe(303);
    expect(redirectPath(res)).toBe("/");
    expect(visitor.session).not.toBe(first);
    const cookie = res.headers.getSetCookie().join("\n");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    // Only one session remains: the one this browser had was ended (no fixation).
    const user = findUserByEmail(server.deps.db, "verified@example.com")!;
    expect(server.deps.db.select().from(sessions).all().filter((s) => s.userId === user.id).length).toBe(1);
    const home = await visitor.get("/");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Create your first product");
  });

  test("an unverified user sees 'check your inbox' with a resend button", async () => {
    const visitor = new Visitor(server);
    const res = await visitor.post("/login", { email: "pending@example.com", password: PASSWORD });
    expect(redirectPath(res)).toBe("/verify-email");
    const page = await visitor.get("/verify-email");
    const html = await page.text();
    expect(html).toContain("Check your inbox");
    expect(html).toContain("pending@example.com");
    expect(html).toContain('action="/verify-email/resend"');
    expect(html).toContain("no mail server configured"); // this server has no SMTP_URL
    // Product pages are out of reach until the address is confirmed.
    expect(redirectPath(await visitor.get("/products/new"))).toBe("/verify-email");
  });

  test("?next= returns to the page that asked, but never to another site", async () => {
    const v = new Visitor(server);
    const ok = await v.post("/login?next=%2Fproducts%2Fnew", { email: "verified@example.com", password: PASSWORD });
    expect(redirectPath(ok)).toBe("/products/new");
    for (const evil of ["//evil.example", "/\\evil.example", "https://evil.example/"]) {
      const res = await new Visitor(server).post("/login", { email: "verified@example.com", password: PASSWORD, next: evil });
      expect(redirectPath(res)).toBe("/");
    }
  });

  test("signing out ends the session on the server, not just the cookie", async () => {
    const visitor = new Visitor(server);
    await visitor.post("/login", { email: "verified@example.com", password: PASSWORD });
    const token = visitor.session!;
    const out = await visitor.post("/logout");
    expect(out.status).toBe(303);
    expect(redirectPath(out)).toBe("/login");
    expect(visitor.session).toBeNull();
    // The old cookie, replayed, no longer signs anyone in.
    visitor.session = token;
    expect(redirectPath(await visitor.get("/"))).toBe("/login");
  });

  test("the header shows the user menu with a sign-out form", async () => {
    const visitor = new Visitor(server);
    await visitor.post("/login", { email: "verified@example.com", password: PASSWORD });
    const html = await (await visitor.get("/")).text();
    expect(html).toContain('data-testid="user-menu"');
    expect(html).toContain('action="/logout"');
    expect(html).toContain("verified@example.com");
  });
});
