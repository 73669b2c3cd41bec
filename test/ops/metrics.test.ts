import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { histogramOf, parseExposition } from "./exposition";

const TOKEN = "metrics-token-0123456789abcdef";

describe("GET /metrics", () => {
  test("is a 404 when METRICS_TOKEN is not set", async () => {
    const server = await startTestServer();
    try {
      const res = await server.fetch("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("litekpi_");
    } finally {
      await server.stop();
    }
  });

  describe("with METRICS_TOKEN", () => {
    let server: TestServer;
    let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
    beforeAll(async () => {
      server = await startTestServer({ env: { METRICS_TOKEN: TOKEN } });
      p = await makeProductWithKeys(server.deps);
    });
    afterAll(() => server.stop());

    const refused: [string, (ingestKey: string) => Record<string, string>][] = [
      ["no Authorization header", () => ({})],
      ["a wrong token", () => ({ Authorization: "Bearer metrics-token-0123456789abcdeX" })],
      ["the token's prefix", () => ({ Authorization: `Bearer ${TOKEN.slice(0, -1)}` })],
      ["another scheme", () => ({ Authorization: `Basic ${btoa(`x:${TOKEN}`)}` })],
      ["an ingest key", (key) => ({ Authorization: `Bearer ${key}` })],
    ];
    test.each(refused)("%s is a 401", async (_name, headers) => {
      const res = await server.fetch("/metrics", { headers: headers(p.ingestKey) });
      expect(res.status).toBe(401);
      expect(res.headers.get("WWW-Authenticate")).toStartWith("Bearer");
      expect(await res.text()).not.toContain("litekpi_points_stored_total");
    });

    test("the right token gets parseable Prometheus text with the writer's, the engine's and the files' figures", async () => {
      const points = Array.from({ length: 250 }, (_, i) => ({ metric: "m", value: i, tags: { k: String(i % 5) } }));
      for (const body of [points.slice(0, 100), points.slice(100)]) {
        const res = await server.fetch("/api/v1/points", { method: "POST", headers: { Authorization: `Bearer ${p.ingestKey}`, "Content-Type": "application/json" }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
      }
      const events = await server.fetch("/api/v1/events", {
        method: "POST",
        headers: { Authorization: `Bearer ${p.ingestKey}`, "Content-Type": "application/json" },
        body: JSON.stringify([{ event: "signup", id: "e1" }, { event: "signup", id: "e2" }, { event: "signup", id: "e1" }]),
      });
      expect(await events.json()).toEqual({ accepted: 2, duplicates: 1 });
      for (let i = 0; i < 3; i++) {
        const q = await server.fetch("/api/v1/query", { method: "POST", headers: { Authorization: `Bearer ${p.readKey}`, "Content-Type": "application/json" }, body: JSON.stringify({ metric: "m", aggregation: "sum", range: "24h" }) });
        expect(q.status).toBe(200);
      }

      const res = await server.fetch("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toStartWith("text/plain; version=0.0.4");
      const e = parseExposition(await res.text());
      const s = e.samples;
      // 250 points, and the 2 new events' own points into event:signup
      expect(s.get("litekpi_points_stored_total")).toBe(252);
      expect(s.get("litekpi_events_stored_total")).toBe(2);
      expect(s.get("litekpi_flushes_total")).toBeGreaterThanOrEqual(3);
      expect(e.types.get("litekpi_points_stored_total")).toBe("counter");
      expect(s.get("litekpi_writer_queue_depth")).toBe(0);
      for (const name of ["litekpi_flush_duration_seconds", "litekpi_commit_duration_seconds"]) {
        const h = histogramOf(e, name);
        expect(e.types.get(name)).toBe("histogram");
        expect(h.count).toBe(s.get("litekpi_flushes_total")!);
        expect(h.sum).toBeGreaterThan(0);
      }
      const queries = histogramOf(e, "litekpi_query_duration_seconds");
      expect(queries.count).toBeGreaterThanOrEqual(3);
      // Idle now: the files are as the scrape saw them (a new database is mostly WAL).
      const db = join(server.dataDir, "litekpi.db");
      expect([s.get("litekpi_database_bytes"), s.get("litekpi_wal_bytes")]).toEqual([statSync(db).size, statSync(`${db}-wal`).size]);
      expect(s.get("litekpi_wal_bytes")).toBeGreaterThan(0);
      expect(s.get('litekpi_events_dropped_total{reason="bot"}')).toBe(0);
      expect(e.types.get("litekpi_events_dropped_total")).toBe("counter");
      expect(s.get("process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    });
  });
});

describe("the exposition reader used above", () => {
  test.each([
    ["a sample without TYPE", "# HELP x a\nx 1\n"],
    ["a value that is no number", "# HELP x a\n# TYPE x gauge\nx one\n"],
    ["a label without quotes", "# HELP x a\n# TYPE x gauge\nx{a=b} 1\n"],
    ["no final newline", "# HELP x a\n# TYPE x gauge\nx 1"],
  ])("refuses %s", (_name, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
