import { createSession, SESSION_COOKIE } from "../../src/auth/session";
import { createUser } from "../../src/auth/users";
import type { TestServer } from "../helpers/server";

let seq = 0;

/** A signed-in browser-less client: a real session row and its cookie, the Origin a browser sends. */
export function signIn(server: TestServer, userId: string) {
  const { token } = createSession(server.deps.db, userId, server.deps.clock.now());
  const cookie = `${SESSION_COOKIE}=${token}`;
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

export async function makeUser(server: TestServer, opts: { email?: string; verified?: boolean; name?: string } = {}) {
  return createUser(
    server.deps.db,
    { email: opts.email ?? `member${++seq}-${Date.now()}@example.com`, password: "correct horse battery", verified: opts.verified ?? true, name: opts.name },
    server.deps.clock.now(),
  );
}

/** The text of the first element matching a data-testid in an HTML answer (tests read what users see). */
export function testIdText(html: string, id: string): string | undefined {
  const m = new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`).exec(html);
  return m?.[1]?.trim();
}

export const unescapeHtml = (s: string) =>
  s.replaceAll("&quot;", '"').replaceAll("&#39;", "'").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
