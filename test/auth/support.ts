import { SESSION_COOKIE } from "../../src/auth/session";
import type { TestServer } from "../helpers/server";

/**
 * A cookie jar of one: what a browser would keep between requests to our server, so tests read
 * like a visitor's steps (post a form, follow where it sends you, see the page).
 */
export class Visitor {
  session: string | null = null;
  constructor(readonly server: TestServer, readonly origin: string | null = server.url) {}

  private headers(extra: Record<string, string> = {}) {
    const h: Record<string, string> = { ...extra };
    if (this.session) h.Cookie = `${SESSION_COOKIE}=${this.session}`;
    if (this.origin) h.Origin = this.origin;
    return h;
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const m = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
      if (m) this.session = m[1] && !/Max-Age=0/i.test(line) ? m[1] : null;
    }
    return res;
  }

  async get(path: string, extra: Record<string, string> = {}) {
    const { Origin: _drop, ...headers } = this.headers(extra);
    return this.keep(await this.server.fetch(path, { headers }));
  }

  async post(path: string, form: Record<string, string> = {}, extra: Record<string, string> = {}) {
    return this.keep(
      await this.server.fetch(path, {
        method: "POST",
        headers: this.headers({ "Content-Type": "application/x-www-form-urlencoded", ...extra }),
        body: new URLSearchParams(form).toString(),
      }),
    );
  }
}

/** The path a redirect (3xx Location or htmx's HX-Redirect) points at. */
export function redirectPath(res: Response): string | null {
  const to = res.headers.get("Location") ?? res.headers.get("HX-Redirect");
  return to ? new URL(to, "http://x").pathname + new URL(to, "http://x").search : null;
}

export const PASSWORD = "correct horse battery";

/** Registers through the form; returns the visitor (signed in, unverified). */
export async function registerVisitor(server: TestServer, email: string, password = PASSWORD) {
  const visitor = new Visitor(server);
  const res = await visitor.post("/register", { email, password, name: "" });
  await res.arrayBuffer();
  if (res.status !== 303) throw new Error(`registration answered ${res.status}`);
  return visitor;
}
