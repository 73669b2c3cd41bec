import { afterAll, beforeAll, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { storedEvents, storedPoints } from "./support";

/**
 * The drop-ins share the native API's brakes: the key's rate limit (429 with Retry-After, in the
 * one error shape) and the monthly quota of a product set to pause at it. One request of each
 * protocol, so every HTTP drop-in is checked the same way.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_KEY_RPS: "1" } });
});
afterAll(() => server.stop());

type Send = (key: string) => Promise<Response>;
const sends: [string, Send][] = [
  ["influx v2", (key) => server.fetch("/api/v2/write?precision=ms", { method: "POST", headers: { Authorization: `Token ${key}` }, body: `m value=1 ${Date.now()}` })],
  ["influx v1", (key) => server.fetch(`/write?db=x&p=${key}&precision=ms`, { method: "POST", body: `m value=1 ${Date.now()}` })],
  ["segment", (key) => server.fetch("/v1/track", { method: "POST", headers: { Authorization: `Basic ${btoa(`${key}:`)}`, "Content-Type": "application/json" }, body: JSON.stringify({ userId: "u", event: "e" }) })],
  ["posthog", (key) => server.fetch("/capture/", { method: "POST", body: JSON.stringify({ api_key: key, event: "e", distinct_id: "u" }) })],
];

test("each drop-in takes from the key's rate limit: past the burst, 429 with Retry-After and nothing stored", async () => {
  for (const [name, send] of sends) {
    const p = await makeProductWithKeys(server.deps);
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await send(p.ingestKey);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
      else await res.arrayBuffer();
    }
    expect([name, statuses[2]]).toEqual([name, 429]);
    expect(Number(limited!.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(((await limited!.json()) as any).error).toBe("rate_limited");
    // Influx writes points; the others events (each also counted into the point series event:<name>).
    const stored = name.startsWith("influx") ? storedPoints(server, p.product.id).length : storedEvents(server, p.product.id).length;
    expect([name, stored]).toEqual([name, statuses.filter((s) => s < 300).length]);
  }
});

test("a product paused at its monthly limit is refused by every drop-in (429 quota_exceeded)", async () => {
  for (const [name, send] of sends) {
    const p = await makeProductWithKeys(server.deps);
    server.deps.limits.ingest.quota.set(p.product.id, { limit: 10, mode: "pause", used: 10, monthEnd: Date.now() + 86_400_000 });
    const res = await send(p.ingestKey);
    expect([name, res.status, ((await res.json()) as any).error]).toEqual([name, 429, "quota_exceeded"]);
    expect(storedPoints(server, p.product.id).length + storedEvents(server, p.product.id).length).toBe(0);
  }
});
