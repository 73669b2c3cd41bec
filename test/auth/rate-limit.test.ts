import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { makeUser } from "../helpers/factories";
import { PASSWORD, registerVisitor, Visitor } from "./support";

/** The one test file that keeps the auth limits low: 6 attempts per IP, 3 per address, per 15 min. */
const clock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ clock, env: { RATE_LIMIT_AUTH_PER_IP: "6", RATE_LIMIT_AUTH_PER_EMAIL: "3" } });
});
afterAll(() => server.stop());

describe("auth rate limits", () => {
  test("per address, then per IP, each answered 429 with Retry-After and words a person can act on", async () => {
    const v = new Visitor(server);
    for (let i = 0; i < 3; i++) expect((await v.post("/login", { email: "target@example.com", password: `guess ${i}` })).status).toBe(401);

    const limited = await v.post("/login", { email: "target@example.com", password: "guess 4" });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    const html = await limited.text();
    expect(html).toContain("Too many attempts");
    expect(html).toContain("please wait");
    expect(html).toContain('value="target@example.com"'); // the form is still there, filled in

    // Another address from the same IP still has the IP's allowance (5 of 6 used after this).
    expect((await v.post("/login", { email: "other@example.com", password: "x" })).status).toBe(401);
    expect((await v.post("/reset-password", { email: "third@example.com" })).status).toBe(200);
    // The IP's allowance is spent: registration, reset and login all wait now.
    const register = await v.post("/register", { email: "new@example.com", password: "long enough password" }, { "HX-Request": "true" });
    expect(register.status).toBe(429);
    expect((await register.text()).startsWith("<form")).toBe(true); // htmx gets the form fragment
    expect((await v.post("/reset-password", { email: "fourth@example.com" })).status).toBe(429);

    // The allowance refills with time.
    clock.advance(15 * 60_000);
    expect((await v.post("/login", { email: "target@example.com", password: "guess 5" })).status).toBe(401);
  });
});

/**
 * Issue 13 item 8: failures count per (address, IP). A stranger guessing the owner's password
 * locks out only themselves; the owner still signs in from their own IP. A per-address limit over
 * all IPs stays, far above the pair limit (here 6 against 3), for guessing from many IPs.
 */
describe("a stranger cannot lock the owner out", () => {
  let proxied: TestServer;
  const lockClock = fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0));
  beforeAll(async () => {
    proxied = await startTestServer({
      clock: lockClock,
      env: { TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_AUTH_PER_IP: "100", RATE_LIMIT_AUTH_PER_EMAIL: "3", RATE_LIMIT_AUTH_FAILURES_PER_EMAIL: "6" },
    });
    await registerVisitor(proxied, "owner@example.com");
  });
  afterAll(() => proxied.stop());
  const from = (ip: string) => ({ "X-Forwarded-For": ip });

  test("guesses from one IP lock that IP only; many IPs hit the per-address ceiling", async () => {
    const attacker = new Visitor(proxied);
    for (let i = 0; i < 3; i++) expect((await attacker.post("/login", { email: "owner@example.com", password: `guess ${i}` }, from("203.0.113.7"))).status).toBe(401);
    expect((await attacker.post("/login", { email: "owner@example.com", password: "guess 3" }, from("203.0.113.7"))).status).toBe(429);

    const owner = new Visitor(proxied);
    const signedIn = await owner.post("/login", { email: "owner@example.com", password: PASSWORD }, from("198.51.100.1"));
    expect(signedIn.status).toBe(303);
    // A right password does not use up the owner's allowance: signing in again still works.
    expect((await new Visitor(proxied).post("/login", { email: "owner@example.com", password: PASSWORD }, from("198.51.100.1"))).status).toBe(303);

    // Three more failures from a second IP reach the per-address ceiling (6): now every IP waits.
    for (let i = 0; i < 3; i++) expect((await attacker.post("/login", { email: "owner@example.com", password: `more ${i}` }, from("203.0.113.8"))).status).toBe(401);
    expect((await new Visitor(proxied).post("/login", { email: "owner@example.com", password: PASSWORD }, from("198.51.100.1"))).status).toBe(429);
    lockClock.advance(15 * 60_000);
    expect((await new Visitor(proxied).post("/login", { email: "owner@example.com", password: PASSWORD }, from("198.51.100.1"))).status).toBe(303);
  });
});

/** Issue 13 item 7: registering a taken address must not show through the resend button's limit either. */
describe("a taken address's resend button has a new account's limit", () => {
  let proxied: TestServer;
  beforeAll(async () => {
    proxied = await startTestServer({ clock: fixedClock(Date.UTC(2026, 2, 1, 9, 0, 0)), env: { TRUSTED_PROXIES: "127.0.0.1", RATE_LIMIT_AUTH_PER_IP: "100", RATE_LIMIT_AUTH_PER_EMAIL: "3" } });
    await makeUser(proxied, { email: "held@example.com" });
  });
  afterAll(() => proxied.stop());

  test("register, then resend until refused: the same answers for a new and a taken address", async () => {
    const steps = async (email: string, ip: string) => {
      const v = new Visitor(proxied);
      const headers = { "X-Forwarded-For": ip };
      const answers = [(await v.post("/register", { email, password: PASSWORD }, headers)).status];
      for (let i = 0; i < 3; i++) {
        const res = await v.post("/verify-email/resend", {}, headers);
        answers.push(res.status);
        if (res.status === 429) expect(await res.text()).toContain("Too many attempts");
      }
      return answers;
    };
    // The registration takes one mail of the address's three, each resend one more.
    expect(await steps("new@example.com", "203.0.113.1")).toEqual([303, 200, 200, 429]);
    expect(await steps("held@example.com", "203.0.113.2")).toEqual([303, 200, 200, 429]);
  });
});
