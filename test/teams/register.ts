import { findUserByEmail } from "../../src/auth/users";
import type { TestServer } from "../helpers/server";

/**
 * A newcomer registers through the link an invite page gives them (`/register?next=…&email=…`),
 * with the real registration form: it must send them straight back to the invite (`next`) with a
 * session, unverified until the invite is accepted.
 */
export async function registerThroughApp(server: TestServer, registerHref: string, email: string) {
  const page = await server.fetch(registerHref);
  const form = await page.text();
  const next = new URL(registerHref, server.url).searchParams.get("next")!;
  if (!form.includes(`value="${email}"`)) throw new Error("the register form does not carry the invited address");
  const res = await server.fetch(registerHref, {
    method: "POST",
    headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: "correct horse battery", name: "", next }).toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 303 || res.headers.get("Location") !== next) throw new Error(`registration answered ${res.status} → ${res.headers.get("Location")}`);
  const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0]!;
  const user = findUserByEmail(server.deps.db, email);
  if (!user || !cookie) throw new Error("registration did not create the user and a session");
  const headers = (extra: Record<string, string> = {}) => ({ Cookie: cookie, Origin: server.url, ...extra });
  return {
    userId: user.id,
    verifiedAtFirst: user.emailVerifiedAt,
    client: {
      get: (path: string) => server.fetch(path, { headers: headers() }),
      post: (path: string, form: Record<string, string> = {}) =>
        server.fetch(path, { method: "POST", headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }), body: new URLSearchParams(form).toString() }),
    },
  };
}

/** An existing user signs in through the invite page's "I already have an account" link. */
export async function loginThroughApp(server: TestServer, loginHref: string, email: string, password: string) {
  const next = new URL(loginHref, server.url).searchParams.get("next")!;
  const res = await server.fetch(loginHref, {
    method: "POST",
    headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, next }).toString(),
  });
  await res.arrayBuffer();
  if (res.status !== 303 || res.headers.get("Location") !== next) throw new Error(`login answered ${res.status} → ${res.headers.get("Location")}`);
  const cookie = (res.headers.get("Set-Cookie") ?? "").split(";")[0]!;
  const headers = (extra: Record<string, string> = {}) => ({ Cookie: cookie, Origin: server.url, ...extra });
  return {
    get: (path: string) => server.fetch(path, { headers: headers() }),
    post: (path: string, form: Record<string, string> = {}) =>
      server.fetch(path, { method: "POST", headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }), body: new URLSearchParams(form).toString() }),
  };
}
