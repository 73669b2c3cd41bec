import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { fixedClock } from "../../src/lib/clock";
import { Visitor } from "./support";

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
