import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { revokeKey } from "../../src/products/keys";
import { startTestServer, tempDir, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { query, storedEvents, storedPoints } from "./support";
import { openStream, rawStream } from "./ws-client";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

describe("GET /api/v1/events/stream", () => {
  test("each message is answered in order: ack after commit, or its own errors with its seq", async () => {
    const p = await makeProductWithKeys(server.deps);
    const s = await openStream(server.url, p.ingestKey);
    s.send({ event: "signup", context: { user_id: "u1" } });
    s.send({ event: "" });
    s.send({ points: [{ metric: "latency", value: 12.5, tags: { route: "/" } }, { metric: "latency", value: 7.5, tags: { route: "/" } }] });
    s.send([{ event: "click", id: "e-1" }, { event: "click", id: "e-2" }]);
    s.send("{not json");
    s.send({ points: [{ metric: "ok", value: 1 }, { metric: "bad", value: "x" }] });
    s.send([{ event: "click", id: "e-1" }]);
    const a = await s.until(7);
    expect(a[0]).toEqual({ ack: 1, accepted: 1 });
    expect([a[1].seq, a[1].error, a[1].errors.map((e: any) => [e.index, e.field])]).toEqual([2, "invalid_events", [[0, "event"]]]);
    expect(a[2]).toEqual({ ack: 3, accepted: 2 });
    expect(a[3]).toEqual({ ack: 4, accepted: 2 });
    expect([a[4].seq, a[4].error, a[4].errors[0].index]).toEqual([5, "invalid_events", null]);
    expect([a[5].seq, a[5].error, a[5].errors]).toEqual([6, "invalid_points", [{ index: 1, field: "value", message: "value must be a JSON number, not a string" }]]);
    expect(a[6]).toEqual({ ack: 7, accepted: 0, duplicates: 1 });
    // Acked means stored: readable at once.
    expect(storedEvents(server, p.product.id).map((e) => e.name)).toEqual(["signup", "click", "click"]);
    expect((await query(server, p.readKey, { metric: "latency" })).value).toBe(20);
    expect(storedPoints(server, p.product.id).map((x) => x.metric)).not.toContain("ok"); // all or nothing per message
    s.ws.close();
  });

  test("the key: ?key= works, no key / a read key / a plain GET are refused before the upgrade, a revoked key is refused per message", async () => {
    const p = await makeProductWithKeys(server.deps);
    const viaQuery = await openStream(server.url, p.ingestKey, { query: true });
    viaQuery.send({ event: "hello" });
    expect(await viaQuery.until(1)).toEqual([{ ack: 1, accepted: 1 }]);
    const upgrade = { Upgrade: "websocket", Connection: "Upgrade", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13" };
    const none = await server.fetch("/api/v1/events/stream", { headers: upgrade });
    expect([none.status, ((await none.json()) as any).error]).toEqual([401, "unauthorized"]);
    const read = await server.fetch("/api/v1/events/stream", { headers: { ...upgrade, Authorization: `Bearer ${p.readKey}` } });
    expect(read.status).toBe(403);
    const plain = await server.fetch("/api/v1/events/stream", { headers: { Authorization: `Bearer ${p.ingestKey}` } });
    expect([plain.status, ((await plain.json()) as any).error]).toEqual([426, "upgrade_required"]);
    revokeKey(server.deps.db, p.ingestKeyId, Date.now());
    viaQuery.send({ event: "after revoke" });
    const a = await viaQuery.until(2);
    expect([a[1].seq, a[1].error]).toEqual([2, "unauthorized"]);
    expect(storedEvents(server, p.product.id).map((e) => e.name)).toEqual(["hello"]);
    viaQuery.ws.close();
  });

  test("a slow consumer is bounded: the server stops reading it (TCP backpressure), loses nothing, and answers everyone else", async () => {
    const p = await makeProductWithKeys(server.deps);
    const raw = await rawStream(server.url, p.ingestKey);
    // Each message: 1000 invalid events, so each answer is ~100 KB of errors; the client never reads.
    const message = JSON.stringify(Array.from({ length: 1000 }, () => ({ pad: "x".repeat(60) })));
    const sent = 300;
    for (let i = 0; i < sent; i++) raw.send(message);
    // Wait until the client's own socket holds what the server would not read.
    let held = 0;
    for (let i = 0; i < 200 && held < 4 * 1024 * 1024; i++) {
      await Bun.sleep(25);
      held = raw.socket.writableLength;
    }
    expect(held).toBeGreaterThan(4 * 1024 * 1024);
    // Meanwhile another client is served normally.
    const other = await openStream(server.url, p.ingestKey);
    other.send({ event: "still-served" });
    expect(await other.until(1)).toEqual([{ ack: 1, accepted: 1 }]);
    other.ws.close();
    // Reading again, the slow client gets an answer for every message it sent, in order.
    const { texts, close } = await raw.readAll(sent);
    expect(close).toBeNull();
    const answers = texts.map((t) => JSON.parse(t));
    expect(answers.map((a) => [a.seq, a.error, a.errors.length])).toEqual(Array.from({ length: sent }, (_, i) => [i + 1, "invalid_events", 2000]));
  }, 60_000);
});

describe("the stream's limits and shutdown", () => {
  test("the key's rate limit applies per message: over it, { error: rate_limited, seq, retryAfter } and nothing stored", async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_KEY_RPS: "1" } });
    try {
      const p = await makeProductWithKeys(limited.deps);
      const s = await openStream(limited.url, p.ingestKey); // the upgrade takes one token of the burst of 2
      s.send({ event: "one" });
      s.send({ event: "two" });
      const a = await s.until(2);
      expect(a[0]).toEqual({ ack: 1, accepted: 1 });
      expect([a[1].seq, a[1].error, a[1].retryAfter >= 1]).toEqual([2, "rate_limited", true]);
      expect(storedEvents(limited, p.product.id).map((e) => e.name)).toEqual(["one"]);
      s.ws.close();
    } finally {
      await limited.stop();
    }
  });

  test("a stop answers every message already read, then closes with 1001; every ack is stored", async () => {
    const dir = tempDir();
    try {
      const own = await startTestServer({ dataDir: dir.path });
      const p = await makeProductWithKeys(own.deps);
      const s = await openStream(own.url, p.ingestKey);
      for (let i = 0; i < 50; i++) s.send({ event: "tick", id: `t-${i + 1}` });
      await s.until(1);
      await own.stop();
      expect((await s.closed).code).toBe(1001);
      // Answers came in message order; each is an ack or "shutting down", none lost in between.
      expect(s.answers.map((a) => a.ack ?? a.seq)).toEqual(Array.from({ length: s.answers.length }, (_, i) => i + 1));
      for (const a of s.answers) if (!("ack" in a)) expect(a.error).toBe("shutting_down");
      const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
      const ids = new Set((db.query("SELECT id FROM events WHERE product_id = ?").all(p.product.id) as { id: string }[]).map((r) => r.id));
      db.close();
      const acked = s.answers.filter((a) => "ack" in a).map((a) => `t-${a.ack}`);
      expect(acked.length).toBeGreaterThan(0);
      for (const id of acked) expect(ids.has(id)).toBe(true);
    } finally {
      dir.remove();
    }
  });
});
