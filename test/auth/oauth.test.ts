import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { startTestServer, type TestServer } from "../helpers/server";
import { createUser, findUserByEmail } from "../../src/auth/users";
import { createSession } from "../../src/auth/session";
import { oauthAccounts, sessions } from "../../src/db/schema";
import { GITHUB_EMAILS_URL, GITHUB_USER_URL, GOOGLE_USERINFO_URL } from "../../src/auth/oauth";
import { PASSWORD, redirectPath, Visitor } from "./support";

/**
 * Only the providers are faked, at the fetch boundary: their token and user endpoints answer
 * from the tables below; every other request (our own server) goes through the real fetch.
 */
const realFetch = globalThis.fetch;
type Profile = { google?: Record<string, unknown>; githubUser?: Record<string, unknown>; githubEmails?: unknown[] };
let profile: Profile = {};
const tokenRequests: URLSearchParams[] = [];

function fakeProviders() {
  const fake = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    const authorized = request.headers.get("Authorization") === "Bearer fake-access-token";
    switch (request.url) {
      case "https://oauth2.googleapis.com/token":
      case "https://github.com/login/oauth/access_token": {
        const form = new URLSearchParams(await request.text());
        tokenRequests.push(form);
        // Google answers a bad code with 400; GitHub with 200 and an error body (as documented).
        const github = request.url.startsWith("https://github.com/");
        if (form.get("code") !== "good-code") return json({ error: github ? "bad_verification_code" : "invalid_grant" }, github ? 200 : 400);
        return json({ access_token: "fake-access-token", token_type: "Bearer", expires_in: 3600, scope: "email" });
      }
      case GOOGLE_USERINFO_URL:
        return authorized ? json(profile.google) : json({ error: "unauthorized" }, 401);
      case GITHUB_USER_URL:
        return authorized ? json(profile.githubUser) : json({ message: "Bad credentials" }, 401);
      case GITHUB_EMAILS_URL:
        return authorized ? json(profile.githubEmails) : json({ message: "Bad credentials" }, 401);
    }
    return realFetch(input, init);
  };
  globalThis.fetch = Object.assign(fake, { preconnect: realFetch.preconnect }) as typeof fetch;
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: { GOOGLE_CLIENT_ID: "google-id", GOOGLE_CLIENT_SECRET: "google-secret", GITHUB_CLIENT_ID: "github-id", GITHUB_CLIENT_SECRET: "github-secret" },
  });
  fakeProviders();
});
afterEach(() => {
  profile = {};
  tokenRequests.length = 0;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await server.stop();
});

/** Starts a sign-in: where the provider is sent, and the flow cookies the browser now holds. */
async function start(provider: "google" | "github", next?: string) {
  const res = await server.fetch(`/login/${provider}${next ? `?next=${encodeURIComponent(next)}` : ""}`);
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("Location")!);
  const cookies = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0]!)
    .join("; ");
  return { location, state: location.searchParams.get("state")!, cookies };
}

async function callback(provider: "google" | "github", query: Record<string, string>, cookies: string) {
  const visitor = new Visitor(server);
  const res = await server.fetch(`/login/${provider}/callback?${new URLSearchParams(query)}`, { headers: { Cookie: cookies } });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("litekpi_session=") && !/Max-Age=0/.test(c));
  visitor.session = session ? session.split(";")[0]!.split("=")[1]! : null;
  return { res, visitor };
}

describe("OAuth sign-in", () => {
  test("the sign-in and registration pages offer the configured providers", async () => {
    for (const path of ["/login", "/register"]) {
      const html = await (await server.fetch(path)).text();
      expect(html).toContain("Continue with Google");
      expect(html).toContain("Continue with GitHub");
    }
    expect((await server.fetch("/login/gitlab")).status).toBe(404);
  });

  test("Google: PKCE and state, then a new verified account without a password", async () => {
    const { location, state, cookies } = await start("google", "/products/new");
    expect(location.origin).toBe("https://accounts.google.com");
    expect(location.searchParams.get("code_challenge_method")).toBe("S256");
    expect(location.searchParams.get("redirect_uri")).toBe(`${server.url}/login/google/callback`);
    expect(cookies).toContain("litekpi_oauth_verifier=");

    profile.google = { sub: "g-123", email: "New.Person@Example.com", email_verified: true, name: "New Person" };
    const { res, visitor } = await callback("google", { code: "good-code", state }, cookies);
    expect(res.status).toBe(302);
    expect(redirectPath(res)).toBe("/products/new");
    expect(tokenRequests[0]!.get("code_verifier")).toBeTruthy();

    const user = findUserByEmail(server.deps.db, "new.person@example.com")!;
    expect(user.emailVerifiedAt).not.toBeNull();
    expect(user.passwordHash).toBeNull();
    expect(user.name).toBe("New Person");
    expect((await visitor.get("/")).status).toBe(200);

    // The second time, the same Google identity finds the same account.
    const again = await start("google");
    const second = await callback("google", { code: "good-code", state: again.state }, again.cookies);
    expect(second.res.status).toBe(302);
    expect(server.deps.db.select().from(oauthAccounts).where(eq(oauthAccounts.userId, user.id)).all().length).toBe(1);
  });

  test("GitHub: links the existing account with the same verified primary email", async () => {
    const existing = await createUser(server.deps.db, { email: "octo@example.com", password: PASSWORD, verified: true }, server.deps.clock.now());
    const { state, cookies } = await start("github");
    profile.githubUser = { id: 4242, login: "octo", name: null };
    profile.githubEmails = [
      { email: "octo-old@example.com", primary: false, verified: false },
      { email: "octo@example.com", primary: true, verified: true },
    ];
    const { res, visitor } = await callback("github", { code: "good-code", state }, cookies);
    expect(res.status).toBe(302);
    const links = server.deps.db.select().from(oauthAccounts).where(eq(oauthAccounts.providerUserId, "4242")).all();
    expect(links.map((l) => l.userId)).toEqual([existing.id]);
    expect(findUserByEmail(server.deps.db, "octo@example.com")!.passwordHash).toBe(existing.passwordHash); // password still works
    expect((await visitor.get("/")).status).toBe(200);
  });

  test("linking to an unverified account drops the password and sessions of whoever registered it", async () => {
    const squatter = await createUser(server.deps.db, { email: "victim@example.com", password: PASSWORD, verified: false }, server.deps.clock.now());
    createSession(server.deps.db, squatter.id, server.deps.clock.now());
    const { state, cookies } = await start("google");
    profile.google = { sub: "g-victim", email: "victim@example.com", email_verified: true };
    expect((await callback("google", { code: "good-code", state }, cookies)).res.status).toBe(302);
    const user = findUserByEmail(server.deps.db, "victim@example.com")!;
    expect(user.passwordHash).toBeNull();
    expect(user.emailVerifiedAt).not.toBeNull();
    // Only the session just made for the real owner is left.
    expect(server.deps.db.select().from(sessions).where(eq(sessions.userId, user.id)).all().length).toBe(1);
    expect((await new Visitor(server).post("/login", { email: "victim@example.com", password: PASSWORD })).status).toBe(401);
  });

  const refusals: [string, (s: { state: string; cookies: string }) => [Record<string, string>, string]][] = [
    ["a wrong state", (s) => [{ code: "good-code", state: "not-the-state" }, s.cookies]],
    ["a missing state", (s) => [{ code: "good-code" }, s.cookies]],
    ["no state cookie (the flow began in another browser)", (s) => [{ code: "good-code", state: s.state }, ""]],
  ];
  for (const [name, make] of refusals) {
    test(`${name} is refused before any token is asked for`, async () => {
      const started = await start("google");
      profile.google = { sub: "g-refused", email: "refused@example.com", email_verified: true };
      const [query, cookies] = make(started);
      const { res, visitor } = await callback("google", query, cookies);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain("could not be verified");
      expect(tokenRequests.length).toBe(0);
      expect(visitor.session).toBeNull();
      expect(findUserByEmail(server.deps.db, "refused@example.com")).toBeUndefined();
    });
  }

  test("a code the provider rejects, or an address it has not verified, gets a clear page", async () => {
    const bad = await start("github");
    const rejected = await callback("github", { code: "stale-code", state: bad.state }, bad.cookies);
    expect(rejected.res.status).toBe(400);
    expect(await rejected.res.text()).toContain("GitHub did not accept this sign-in");
    const badGoogle = await start("google");
    const rejectedGoogle = await callback("google", { code: "stale-code", state: badGoogle.state }, badGoogle.cookies);
    expect(rejectedGoogle.res.status).toBe(400);
    expect(await rejectedGoogle.res.text()).toContain("Google did not accept this sign-in (invalid_grant)");

    const unverified = await start("google");
    profile.google = { sub: "g-unverified", email: "unsure@example.com", email_verified: false };
    const noEmail = await callback("google", { code: "good-code", state: unverified.state }, unverified.cookies);
    expect(noEmail.res.status).toBe(400);
    expect(await noEmail.res.text()).toContain("no verified email address");
    expect(findUserByEmail(server.deps.db, "unsure@example.com")).toBeUndefined();

    const cancelled = await start("github");
    const denied = await callback("github", { error: "access_denied", state: cancelled.state }, cancelled.cookies);
    expect(await denied.res.text()).toContain("Sign-in with GitHub was cancelled");
  });
});
