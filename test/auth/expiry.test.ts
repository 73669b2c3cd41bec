import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { createUser } from "../../src/auth/users";
import { createSession, SESSION_TTL_MS } from "../../src/auth/session";
import { createEmailToken } from "../../src/auth/email-tokens";
import { createPendingRegistration } from "../../src/auth/pending-registration";
import { emailTokens, pendingRegistrations, sessions } from "../../src/db/schema";

const clock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(() => server.stop());

test("the expiry job removes expired sessions, pending registrations and long-dead email tokens, and nothing live", async () => {
  const { db } = server.deps;
  const user = await createUser(db, { email: "old@example.com", password: "correct horse battery", verified: true }, clock.now());
  createSession(db, user.id, clock.now());
  createPendingRegistration(db, { email: "old@example.com", name: null }, clock.now());
  createEmailToken(db, user.id, "reset", clock.now());
  clock.advance(SESSION_TTL_MS + 8 * 24 * 3600_000);
  const live = createSession(db, user.id, clock.now());
  const livePending = createPendingRegistration(db, { email: "old@example.com", name: null }, clock.now());
  createEmailToken(db, user.id, "verify", clock.now());

  await server.deps.scheduler.runJobNow("auth.expire");
  expect(db.select().from(sessions).all().map((s) => s.id)).toEqual([live.session.id]);
  expect(db.select().from(pendingRegistrations).all().map((p) => p.id)).toEqual([livePending.pending.id]);
  expect(db.select().from(emailTokens).all().map((t) => t.kind)).toEqual(["verify"]);
});
