import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { RateLimiter } from "../../src/lib/rate-limit";

describe("jobs", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test("a failing job is recorded with its error and runs again; it never stops the server", async () => {
    let calls = 0;
    server.deps.scheduler.register("test.flaky", "0 0 1 1 *", () => {
      calls++;
      if (calls === 1) throw new Error("boom");
    });
    await server.deps.scheduler.runJobNow("test.flaky");
    let row = server.deps.db.$client.query("SELECT runs, last_error FROM jobs WHERE name = 'test.flaky'").get() as { runs: number; last_error: string | null };
    expect(row).toEqual({ runs: 1, last_error: "boom" });
    await server.deps.scheduler.runJobNow("test.flaky");
    row = server.deps.db.$client.query("SELECT runs, last_error FROM jobs WHERE name = 'test.flaky'").get() as typeof row;
    expect(row).toEqual({ runs: 2, last_error: null });
    expect((await server.fetch("/healthz")).status).toBe(200);
  });

  test("runs of one job never overlap", async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    server.deps.scheduler.register("test.slow", "0 0 1 1 *", async () => {
      maxConcurrent = Math.max(maxConcurrent, ++concurrent);
      await Bun.sleep(30);
      concurrent--;
    });
    await Promise.all([server.deps.scheduler.runJobNow("test.slow"), server.deps.scheduler.runJobNow("test.slow")]);
    expect(maxConcurrent).toBe(1);
  });
});

describe("rate limiter", () => {
  test("allows the burst, then answers how many seconds to wait, and refills over time", () => {
    const limiter = RateLimiter.perWindow(3, 15 * 60_000);
    const t = 1_000_000;
    expect([limiter.take("ip", t), limiter.take("ip", t), limiter.take("ip", t)]).toEqual([0, 0, 0]);
    const wait = limiter.take("ip", t);
    expect(wait).toBe(300); // one token per 5 minutes
    expect(limiter.take("other-ip", t)).toBe(0);
    expect(limiter.take("ip", t + 300_000)).toBe(0);
  });
});
