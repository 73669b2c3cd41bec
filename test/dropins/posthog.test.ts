import { afterAll, beforeAll, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { PostHog } from "posthog-node";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { query, storedEvents } from "./support";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const siteTokenOf = (productId: string) => (server.deps.db.$client.query("SELECT site_token AS t FROM products WHERE id = ?").get(productId) as { t: string }).t;

test("posthog-node (gzip on) pointed at LiteKPI: capture and identify arrive, distinct_id → user, $session_id → session", async () => {
  const p = await makeProductWithKeys(server.deps);
  const sent: { url: string; encoding: string | null; status: number }[] = [];
  const client = new PostHog(p.ingestKey, {
    host: server.url,
    flushAt: 3,
    flushInterval: 0,
    disableCompression: false,
    // The client's own fetch, watched: every request went gzipped and was answered 2xx.
    fetch: async (url: string, init: any) => {
      const res = await fetch(url, init);
      sent.push({ url: String(url), encoding: new Headers(init.headers).get("content-encoding"), status: res.status });
      return res as any;
    },
  });
  client.capture({ distinctId: "user-1", event: "signed_up", properties: { plan: "pro", $session_id: "s-1", $ip: "198.51.100.4" } });
  client.capture({ distinctId: "user-1", event: "signed_up", properties: { plan: "free" }, timestamp: new Date("2026-01-15T12:00:00Z") });
  client.identify({ distinctId: "user-1", properties: { email: "ada@example.com" } });
  await client.shutdown();

  expect(sent.length).toBeGreaterThan(0);
  for (const s of sent) expect([s.url.replace(server.url, ""), s.encoding, s.status]).toEqual(["/batch/", "gzip", 200]);
  const events = storedEvents(server, p.product.id);
  expect(events.map((e) => e.name).sort()).toEqual(["$identify", "signed_up", "signed_up"]);
  const first = events.find((e) => e.properties?.plan === "pro")!;
  expect([first.userId, first.sessionId]).toEqual(["user-1", "s-1"]);
  expect(first.properties.$ip).toBeUndefined(); // the IP address is never stored
  expect(first.properties.$lib).toBe("posthog-node");
  expect(first.id).toMatch(/^[0-9a-f-]{36}$/); // the uuid: a retried batch is stored once
  expect(events.find((e) => e.properties?.plan === "free")!.tsMs).toBe(Date.parse("2026-01-15T12:00:00Z"));
  expect(events.find((e) => e.name === "$identify")!.properties.$set).toEqual({ email: "ada@example.com" });
  expect((await query(server, p.readKey, { metric: "event:signed_up" })).value).toBe(2);
});

test("posthog-js bodies on /e/ with the site token: ?compression=gzip-js, base64 data=, arrays; CORS preflight", async () => {
  const p = await makeProductWithKeys(server.deps);
  const site = siteTokenOf(p.product.id);
  const ev = (n: number) => ({ event: "$pageview", properties: { token: site, distinct_id: `anon-${n}`, $session_id: "sess", $current_url: `https://example.com/${n}` }, uuid: `00000000-0000-4000-8000-00000000000${n}`, offset: 5 });
  const origin = { Origin: "https://example.com" };
  const gz = await server.fetch(`/e/?compression=gzip-js&ver=1.200.0&_=${Date.now()}`, { method: "POST", headers: { ...origin, "Content-Type": "text/plain" }, body: gzipSync(JSON.stringify([ev(1), ev(2)])) });
  expect([gz.status, await gz.json(), gz.headers.get("access-control-allow-origin")]).toEqual([200, { status: 1, accepted: 2 }, "https://example.com"]);
  const b64 = await server.fetch("/i/v0/e/?compression=base64", { method: "POST", headers: { ...origin, "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ data: btoa(JSON.stringify(ev(3))) }) });
  expect([b64.status, await b64.json()]).toEqual([200, { status: 1, accepted: 1 }]);
  const again = await server.fetch("/e/", { method: "POST", body: JSON.stringify(ev(3)) });
  expect(await again.json()).toEqual({ status: 1, accepted: 0, duplicates: 1 });
  const pre = await server.fetch("/e/", { method: "OPTIONS", headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" } });
  expect([pre.status, pre.headers.get("access-control-allow-origin"), pre.headers.get("access-control-allow-headers")]).toEqual([204, "https://example.com", "content-type"]);

  const events = storedEvents(server, p.product.id);
  expect(events.map((e) => [e.userId, e.sessionId, e.properties.token])).toEqual([["anon-1", "sess", undefined], ["anon-2", "sess", undefined], ["anon-3", "sess", undefined]]);
  // The site token sends browser events only: not to the server batch endpoint.
  const batch = await server.fetch("/batch/", { method: "POST", body: JSON.stringify({ api_key: site, batch: [ev(4)] }) });
  expect(batch.status).toBe(401);
});

test("validation: bad events are listed and left out, nothing valid is 400, keys checked; /decide and /flags answer", async () => {
  const p = await makeProductWithKeys(server.deps);
  const post = (path: string, body: unknown) => server.fetch(path, { method: "POST", body: JSON.stringify(body) });
  const mixed = await post("/capture/", { api_key: p.ingestKey, batch: [{ event: "ok", distinct_id: 7 }, { event: "no-user" }, { event: "", distinct_id: "u" }, "junk"] });
  const j: any = await mixed.json();
  expect([mixed.status, j.accepted, j.errors.map((e: any) => [e.index, e.field])]).toEqual([207, 1, [[1, "distinct_id"], [2, "event"], [3, null]]]);
  expect(storedEvents(server, p.product.id).map((e) => e.userId)).toEqual(["7"]);
  expect((await post("/batch/", { api_key: p.ingestKey, batch: [{ event: "x" }] })).status).toBe(400);
  expect((await post("/batch/", { api_key: "phc_unknown", batch: [] })).status).toBe(401);
  expect((await post("/batch/", { api_key: p.readKey, batch: [] })).status).toBe(403);
  for (const path of ["/decide/?v=3", "/flags/?v=2&config=true"]) {
    const res = await server.fetch(path, { method: "POST", body: JSON.stringify({ token: p.ingestKey, distinct_id: "u" }) });
    const body: any = await res.json();
    expect([res.status, body.featureFlags, body.errorsWhileComputingFlags, body.sessionRecording]).toEqual([200, {}, false, false]);
  }
  const client = new PostHog(p.ingestKey, { host: server.url, flushAt: 1 });
  const flags = await client.evaluateFlags("u");
  expect(flags.getFlag("anything")).toBeUndefined();
  await client.shutdown();
});
