import { createApp } from "../../src/app";
import { createUser, findUserByEmail } from "../../src/auth/users";
import type { TestServer } from "../helpers/server";
import type { SmtpSink } from "../helpers/smtp";
import { signIn, type Client } from "./support";

/**
 * A newcomer registers through the link an invite page gives them (`/register?next=…&email=…`).
 * Uses the real registration form when the accounts area has registered POST /register, then
 * signs the new user in with a session (verification is what accepting the invite does).
 * Before that route exists the account is created the way registration would: unverified.
 */
export async function registerThroughApp(server: TestServer, _smtp: SmtpSink, registerHref: string, email: string): Promise<{ userId: string; client: Client }> {
  const hasRegister = createApp(server.deps).routes.some((r) => r.method === "POST" && r.path === "/register");
  if (hasRegister) {
    const res = await server.fetch(registerHref, {
      method: "POST",
      headers: { Origin: server.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email, password: "correct horse battery", name: "" }).toString(),
    });
    await res.arrayBuffer();
    if (res.status >= 400) throw new Error(`registration answered ${res.status}`);
  } else {
    await createUser(server.deps.db, { email, password: "correct horse battery", verified: false }, server.deps.clock.now());
  }
  const user = findUserByEmail(server.deps.db, email);
  if (!user) throw new Error("registration did not create the user");
  return { userId: user.id, client: signIn(server, user.id) };
}
