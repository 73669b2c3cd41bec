import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import express from "express";
import { LiteKPI, type LiteKPIConfig } from "../../sdks/js/src/index";
import { eventually, run, startSdkFixture, type SdkFixture } from "./support";
import { storedItems } from "./fault-proxy";
import { launchBrowser } from "../helpers/browser";

/** The TypeScript SDK against a live server, through the fault proxy. */
let f: SdkFixture;
const clients: LiteKPI[] = [];
beforeAll(async () => {
  f = await startSdkFixture();
});
afterAll(async () => {
  for (const c of clients) await c.close();
  await f.stop();
});
beforeEach(() => f.proxy.reset());

const client = (cfg: Partial<LiteKPIConfig> = {}) => {
  const c = new LiteKPI({ apiKey: f.ingestKey, endpoint: f.proxy.url, flushInterval: 60_000, retryDelay: 5, ...cfg });
  clients.push(c);
  return c;
};
const eventRequests = () => f.proxy.log.filter((r) => r.path.startsWith("/api/v1/events"));

describe("batching", () => {
  test("100 events per request, sent as soon as a batch is full; flush() sends the rest; gzip on", async () => {
    const c = client();
    for (let i = 0; i < 250; i++) c.track("js_batch", { i });
    await eventually(() => eventRequests().filter((r) => r.status === 200).length === 2, "the two full batches went without a flush");
    expect(c.stats().queued).toBe(50);
    await c.flush();
    const sizes = eventRequests().map((r) => (r.body as { events: unknown[] }).events.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(eventRequests().every((r) => r.encoding === "gzip" && r.authorization === `Bearer ${f.ingestKey}`)).toBe(true);
    expect(await f.eventCount("js_batch")).toBe(250);
    expect(c.stats()).toMatchObject({ queued: 0, sent: 250 });
  });

  test("the timer sends a partial batch (flushInterval)", async () => {
    const c = client({ flushInterval: 100 });
    c.track("js_timer");
    c.point("js.timer.point", 3);
    await eventually(() => storedItems(f.proxy.log, "/api/v1/points").length === 1 && storedItems(f.proxy.log, "/api/v1/events").length === 1, "the timer flushed");
    expect(await f.eventCount("js_timer")).toBe(1);
    expect(await f.pointSum("js.timer.point")).toBe(3);
  });

  test("track(namespace, event, props), the context setters, points with tags", async () => {
    const c = client({ customContext: { service: "billing-api" } });
    c.setUser("user_123", { plan: "pro" });
    c.setOrganization("org_456");
    c.setContext({ version: "1.2.0" });
    c.track("billing", "js_usage_recorded", { quantity: 1000, amount: 50 });
    c.point("js.queue.depth", 42, { region: "eu" });
    await c.flush();
    const [e] = storedItems(f.proxy.log, "/api/v1/events");
    expect(e).toMatchObject({
      namespace: "billing",
      event: "js_usage_recorded",
      properties: { quantity: 1000, amount: 50 },
      context: { service: "billing-api", user_id: "user_123", user: { plan: "pro" }, org_id: "org_456", version: "1.2.0" },
    });
    expect(typeof e.id).toBe("string");
    const row = f.server.deps.db.$client.query("SELECT namespace, user_id FROM events WHERE product_id = ? AND name = 'js_usage_recorded'").get(f.productId);
    expect(row).toEqual({ namespace: "billing", user_id: "user_123" });
    expect(storedItems(f.proxy.log, "/api/v1/points")).toEqual([expect.objectContaining({ metric: "js.queue.depth", value: 42, tags: { region: "eu" } })]);
  });
});

describe("retries", () => {
  test("after a 503 the same batch is retried with the same Idempotency-Key and stored once", async () => {
    const c = client();
    f.proxy.fail({ count: 1, status: 503, retryAfter: 0 });
    for (let i = 0; i < 5; i++) c.point("js.retry.503", 1);
    await c.flush();
    const tries = f.proxy.log.filter((r) => r.path.startsWith("/api/v1/points"));
    expect(tries.map((r) => r.status)).toEqual([503, 200]);
    expect(tries[0]!.idempotencyKey).toBeTruthy();
    expect(tries[1]!.idempotencyKey).toBe(tries[0]!.idempotencyKey);
    expect(await f.pointSum("js.retry.503")).toBe(5);
  });

  test("an answer lost after the server stored the batch: the retry is replayed, not stored twice", async () => {
    const c = client();
    f.proxy.fail({ count: 1, status: 503, after: true });
    for (let i = 0; i < 4; i++) c.point("js.retry.lost", 1);
    await c.flush();
    const tries = f.proxy.log.filter((r) => r.path.startsWith("/api/v1/points"));
    expect(tries.map((r) => [r.forwardedStatus ?? null, r.status])).toEqual([[200, 503], [null, 200]]);
    expect(await f.pointSum("js.retry.lost")).toBe(4);
  });

  test("Retry-After on a 429 is waited for before the retry", async () => {
    const c = client();
    f.proxy.fail({ count: 1, status: 429, retryAfter: 1 });
    c.point("js.retry.429", 1);
    await c.flush();
    const [first, second] = f.proxy.log;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    expect(await f.pointSum("js.retry.429")).toBe(1);
  });

  test("a dropped connection is retried like a 503", async () => {
    const c = client();
    f.proxy.fail({ count: 2, status: 0 });
    c.track("js_dropped_conn");
    await c.flush();
    expect(eventRequests().map((r) => r.status)).toEqual([0, 0, 200]);
    expect(new Set(eventRequests().map((r) => r.idempotencyKey)).size).toBe(1);
    expect(await f.eventCount("js_dropped_conn")).toBe(1);
  });
});

describe("never throws, stays bounded", () => {
  test("a server that stays down: flush() resolves, the batch is counted as failed, onError is told", async () => {
    const errors: Error[] = [];
    const c = client({ maxRetries: 2, onError: (e) => errors.push(e) });
    f.proxy.fail({ count: 10, status: 503, retryAfter: 0 });
    c.track("js_down");
    await c.flush();
    expect(eventRequests()).toHaveLength(3);
    expect(c.stats().dropped.failed).toBe(1);
    expect(errors.at(-1)?.message).toMatch(/failed after 3 attempts/);
  });

  test("the queue keeps the newest maxQueueSize items and counts the dropped oldest", async () => {
    const c = client({ maxQueueSize: 10, batchSize: 100 });
    for (let i = 0; i < 25; i++) c.track("js_overflow", { i });
    expect(c.stats()).toMatchObject({ queued: 10, dropped: { overflow: 15 } });
    await c.flush();
    expect(storedItems(f.proxy.log, "/api/v1/events").map((e) => e.properties.i)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
  });

  test("bad input and an unreachable endpoint never throw into the caller", async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const c = client({ endpoint: "http://127.0.0.1:1", maxRetries: 0, onError: () => { throw new Error("onError itself throws"); } });
    expect(() => {
      c.track("ok", cyclic);
      c.track("", {});
      c.track(undefined as unknown as string);
      c.point("m", Number.NaN);
      c.point("m", "5" as unknown as number);
      c.setContext(null as unknown as Record<string, unknown>);
      c.track("fine");
    }).not.toThrow();
    await c.flush();
    expect(c.stats().dropped).toEqual({ overflow: 0, failed: 1, rejected: 5 });
  });

  test("an item the server refuses does not cost its batch: the others are stored (207)", async () => {
    const errors: Error[] = [];
    const c = client({ onError: (e) => errors.push(e) });
    c.point("js.partial.ok", 1);
    c.point("event:reserved", 1);
    c.point("js.partial.ok", 1);
    await c.flush();
    expect(await f.pointSum("js.partial.ok")).toBe(2);
    expect(c.stats()).toMatchObject({ sent: 2, dropped: { rejected: 1 } });
    expect(errors[0]?.message).toMatch(/reserved/);
  });
});

describe("enable, disable and sampling", () => {
  test("a disabled SDK sends nothing; enable() starts again", async () => {
    const c = client({ enabled: false });
    c.track("js_disabled");
    c.point("js.disabled", 1);
    await c.flush();
    expect(f.proxy.log).toEqual([]);
    c.enable();
    c.track("js_disabled");
    c.disable();
    c.track("js_disabled");
    await c.flush();
    expect(await f.eventCount("js_disabled")).toBe(1);
  });

  test("sampling rate 0 keeps nothing, 1 everything, 0.5 about half; points are never sampled", async () => {
    const c = client({ samplingRate: 0 });
    for (let i = 0; i < 50; i++) c.track("js_sampled_none");
    c.point("js.sampled.point", 1);
    c.setSamplingRate(0.5);
    for (let i = 0; i < 2000; i++) c.track("js_sampled_half");
    c.setSamplingRate(1);
    for (let i = 0; i < 30; i++) c.track("js_sampled_all");
    await c.flush();
    expect(await f.eventCount("js_sampled_none")).toBe(0);
    expect(await f.eventCount("js_sampled_all")).toBe(30);
    expect(await f.pointSum("js.sampled.point")).toBe(1);
    const half = await f.eventCount("js_sampled_half");
    // 2000 fair coin flips: 6 standard deviations (±134) either side of 1000
    expect(half).toBeGreaterThan(866);
    expect(half).toBeLessThan(1134);
    expect(c.stats().sampled).toBe(50 + 2000 - half);
  });
});

describe("flush at exit (the built package, in Node and in Bun)", () => {
  let dist: string;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), "litekpi-js-"));
    const built = await run(["node", join(import.meta.dir, "../../node_modules/typescript/bin/tsc"), "-p", "sdks/js", "--outDir", dist], { cwd: join(import.meta.dir, "../..") });
    expect(built).toMatchObject({ code: 0 });
  }, 60_000);

  for (const runtime of ["node", process.execPath]) {
    const name = runtime === "node" ? "node" : "bun";
    test(`${name}: a script that tracks and ends without flush() still delivers`, async () => {
      const script = join(dist, `exit-${name}.mjs`);
      writeFileSync(
        script,
        `import { LiteKPI } from ${JSON.stringify(join(dist, "index.js"))};
         const c = new LiteKPI({ apiKey: process.env.LITEKPI_API_KEY, endpoint: process.env.LITEKPI_ENDPOINT, flushInterval: 60000 });
         for (let i = 0; i < 3; i++) c.track("cli", "js_exit_${name}", { i });
         c.point("js.exit.${name}", 7);
         console.log("done, not flushed");`,
      );
      const r = await run([runtime, script], { env: f.env() });
      expect(r).toMatchObject({ code: 0 });
      expect(await f.eventCount(`js_exit_${name}`)).toBe(3);
      expect(await f.pointSum(`js.exit.${name}`)).toBe(7);
    }, 30_000);
  }
});

test("Express middleware: one event per request with method, route pattern, status and duration", async () => {
  const c = client();
  const app = express();
  app.use(c.middleware());
  app.get("/users/:id", (_req, res) => void res.json({ ok: true }));
  const router = express.Router();
  router.post("/items", (_req, res) => void res.status(201).end());
  app.use("/api", router);
  app.get("/boom", () => {
    throw new Error("handler failed");
  });
  const listener = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const base = `http://127.0.0.1:${(listener.address() as { port: number }).port}`;
  try {
    expect((await fetch(`${base}/users/42`)).status).toBe(200);
    expect((await fetch(`${base}/api/items`, { method: "POST" })).status).toBe(201);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
    expect((await fetch(`${base}/boom`)).status).toBe(500);
    await eventually(() => c.stats().queued === 4, "four request events queued");
    await c.flush();
  } finally {
    listener.close();
  }
  const events = storedItems(f.proxy.log, "/api/v1/events");
  expect(events.map((e) => [e.namespace, e.event, e.properties.method, e.properties.route, e.properties.status])).toEqual([
    ["http", "request", "GET", "/users/:id", 200],
    ["http", "request", "POST", "/api/items", 201],
    ["http", "request", "GET", null, 404],
    ["http", "request", "GET", "/boom", 500],
  ]);
  expect(events.every((e) => typeof e.properties.duration_ms === "number" && e.properties.duration_ms >= 0)).toBe(true);
  expect(await f.eventCount("request")).toBe(4);
});

test("in a browser (Chromium): the bundle works, and what is queued when the page goes away is sent with keepalive", async () => {
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "../../sdks/js/src/index.ts")], target: "browser", format: "esm" });
  expect(built.success).toBe(true);
  f.proxy.serve("/sdk.js", "text/javascript", await built.outputs[0]!.text());
  f.proxy.serve(
    "/page.html",
    "text/html",
    `<!doctype html><title>app</title><script type="module">
       import { LiteKPI } from "/sdk.js";
       const c = new LiteKPI({ apiKey: ${JSON.stringify(f.ingestKey)}, endpoint: location.origin, flushInterval: 60000 });
       c.setUser("browser-user");
       c.track("ui", "js_browser_click", { button: "buy" });
       c.point("js.browser.point", 2);
       window.ready = true;
     </script>`,
  );
  f.proxy.serve("/next.html", "text/html", "<!doctype html><title>next</title>");
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${f.proxy.url}/page.html`);
    await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    expect(f.proxy.log.filter((r) => r.path.startsWith("/api/"))).toEqual([]); // queued, not sent yet
    await page.goto(`${f.proxy.url}/next.html`); // pagehide: the queue goes with fetch keepalive
    await eventually(() => storedItems(f.proxy.log, "/api/v1/events").length === 1 && storedItems(f.proxy.log, "/api/v1/points").length === 1, "the keepalive requests arrived");
  } finally {
    await browser.close();
  }
  expect(storedItems(f.proxy.log, "/api/v1/events")[0]).toMatchObject({ namespace: "ui", event: "js_browser_click", context: { user_id: "browser-user" } });
  expect(await f.eventCount("js_browser_click")).toBe(1);
  expect(await f.pointSum("js.browser.point")).toBe(2);
}, 60_000);
