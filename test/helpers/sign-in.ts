import type { BrowserContext } from "playwright-core";
import { createSession, SESSION_COOKIE } from "../../src/auth/session";
import type { Deps } from "../../src/deps";
import type { TestServer } from "./server";

/**
 * THE way a test is signed in without the login form: a real session row (as the login page
 * would make) and its cookie. `signIn` answers a browser-less client that sends the cookie and
 * the Origin a browser sends; `signInBrowser` puts the cookie into a Playwright context.
 */
export function sessionCookie(deps: Pick<Deps, "db" | "clock">, userId: string): string {
  return `${SESSION_COOKIE}=${createSession(deps.db, userId, deps.clock.now()).token}`;
}

export function signIn(server: TestServer, userId: string) {
  const cookie = sessionCookie(server.deps, userId);
  const headers = (extra: Record<string, string> = {}) => ({ Cookie: cookie, Origin: server.url, ...extra });
  return {
    cookie,
    get: (path: string, extra: Record<string, string> = {}) => server.fetch(path, { headers: headers(extra) }),
    post: (path: string, form: Record<string, string> = {}, extra: Record<string, string> = {}) =>
      server.fetch(path, {
        method: "POST",
        headers: headers({ "Content-Type": "application/x-www-form-urlencoded", ...extra }),
        body: new URLSearchParams(form).toString(),
      }),
  };
}

export type Client = ReturnType<typeof signIn>;

export async function signInBrowser(context: BrowserContext, server: TestServer, userId: string) {
  const token = sessionCookie(server.deps, userId).slice(SESSION_COOKIE.length + 1);
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: server.url, httpOnly: true, sameSite: "Lax" }]);
}
