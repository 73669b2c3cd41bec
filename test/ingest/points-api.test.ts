import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { revokeKey } from "../../src/products/keys";
import { allTagsTotals, counts, post } from "./ingest-helpers";
import { rollupRows, storedPoints } from "../helpers/data-plane";

let server: TestServer;
let p: Awaited<ReturnType<typeof makeProductWithKeys>>;
let revoked: Awaited<ReturnType<typeof makeProductWithKeys>>;
beforeAll(async () => {
  server = await startTestServer();
  p = await makeProductWithKeys(server.deps);
  revoked = await makeProductWithKeys(server.deps);
  revokeKey(server.deps.db, revoked.ingestKeyId, Date.now());
});
afterAll(() => server.stop());

const MiB = 1024 * 1024;
const one = JSON.stringify({ metric: "signups", value: 1, tags: { plan: "pro" } });
/** Valid JSON of exactly `bytes` bytes: a few points, then whitespace (JSON allows it). */
function bodyOfSize(bytes: number): string {
  const json = JSON.stringify([{ metric: "pad", value: 1 }, { metric: "pad", value: 2 }]);
  return json + " ".repeat(bytes - json.length);
}

type Scenario = {
  name: string;
  path?: string;
  key?: "ingest" | "read" | "revoked" | "unknown" | null;
  body: () => BodyInit | null;
  headers?: Record<string, string>;
  status: number;
  error?: string;
  check?: (json: any, headers: Headers) => void;
};

const scenarios: Scenario[] = [
  { name: "one point → 200", body: () => one, status: 200, check: (j) => expect(j).toEqual({ accepted: 1 }) },
  { name: "an array → 200", body: () => JSON.stringify([{ metric: "a", value: 1 }, { metric: "a", value: 2 }]), status: 200, check: (j) => expect(j).toEqual({ accepted: 2 }) },
  { name: "{ points: [...] } → 200", body: () => JSON.stringify({ points: [{ metric: "a", value: 1 }] }), status: 200, check: (j) => expect(j).toEqual({ accepted: 1 }) },
  { name: "text/plain (sendBeacon) is read as JSON", body: () => one, headers: { "Content-Type": "text/plain;charset=UTF-8" }, status: 200 },
  { name: "form-urlencoded (curl -d) is read as JSON", body: () => one, headers: { "Content-Type": "application/x-www-form-urlencoded" }, status: 200 },
  { name: "gzip body → 200", body: () => gzipSync(one), headers: { "Content-Encoding": "gzip" }, status: 200 },
  { name: "exactly 1 MiB → 200", body: () => bodyOfSize(MiB), status: 200 },
  {
    name: "?partial=1 with a bad point → 207 with its error",
    path: "/api/v1/points?partial=1",
    body: () => JSON.stringify([{ metric: "a", value: 1 }, { metric: "a", value: "x" }]),
    status: 207,
    check: (j) => expect(j).toEqual({ accepted: 1, error: "invalid_points", errors: [{ index: 1, field: "value", message: expect.any(String) }] }),
  },
  { name: "?partial=1 with all good → 200", path: "/api/v1/points?partial=1", body: () => one, status: 200, check: (j) => expect(j).toEqual({ accepted: 1 }) },
  { name: "a bad point → 400", body: () => JSON.stringify({ metric: "a" }), status: 400, error: "invalid_points" },
  { name: "no key → 401", key: null, body: () => one, status: 401, error: "unauthorized" },
  { name: "unknown key → 401", key: "unknown", body: () => one, status: 401, error: "unauthorized" },
  { name: "revoked key → 401", key: "revoked", body: () => one, status: 401, error: "unauthorized" },
  { name: "read key → 403", key: "read", body: () => one, status: 403 },
  { name: "1 MiB + 1 byte → 413", body: () => bodyOfSize(MiB + 1), status: 413, error: "payload_too_large" },
  {
    name: "a 10 KB gzip body inflating past 1 MiB → 413",
    body: () => {
      const gz = gzipSync(`[${'{"metric":"a","value":1},'.repeat(60_000)}{"metric":"a","value":1}]`, { level: 9 });
      expect(gz.length).toBeLessThan(10_240);
      return gz;
    },
    headers: { "Content-Encoding": "gzip" },
    status: 413,
    error: "payload_too_large",
  },
  { name: "a 1 MiB gzip bomb (1 GiB inflated) → 413", body: () => gzipSync(Buffer.alloc(1024 * MiB, 0x20), { level: 9 }), headers: { "Content-Encoding": "gzip" }, status: 413 },
  { name: "a chunked body past 1 MiB → 413", body: () => streamOf(MiB + 10), status: 413, error: "payload_too_large" },
  { name: "text/xml → 415", body: () => one, headers: { "Content-Type": "text/xml" }, status: 415, error: "unsupported_media_type" },
  { name: "multipart → 415", body: () => one, headers: { "Content-Type": "multipart/form-data; boundary=x" }, status: 415 },
  { name: "Content-Encoding br → 415", body: () => one, headers: { "Content-Encoding": "br" }, status: 415 },
  { name: "unknown path under /api → JSON 404", path: "/api/v1/pointz", body: () => one, status: 404, error: "not_found" },
];

/** A body sent without Content-Length (chunked), so only the reader's own count can stop it. */
function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(64 * 1024, bytes - sent);
      sent += n;
      controller.enqueue(new Uint8Array(n).fill(0x20));
    },
  });
}

describe("POST /api/v1/points status codes", () => {
  for (const s of scenarios) {
    test(s.name, async () => {
      const before = counts(server, p.product.id);
      const key = s.key === undefined || s.key === "ingest" ? p.ingestKey : s.key === "read" ? p.readKey : s.key === "revoked" ? revoked.ingestKey : s.key === "unknown" ? "lk_" + "a".repeat(52) : null;
      const res = await post(server, s.path ?? "/api/v1/points", s.body(), { key, headers: s.headers });
      expect(res.status).toBe(s.status);
      if (s.status >= 400) {
        // (checked with typeof: bun's toMatchObject with expect.any() rewrites the object it reads)
        expect([typeof res.json.error, typeof res.json.message]).toEqual(["string", "string"]);
        if (s.error) expect(res.json.error).toBe(s.error);
        // A refused request changes nothing.
        expect(counts(server, p.product.id)).toEqual(before);
      }
      s.check?.(res.json, res.headers);
    }, 30_000);
  }
});

test("an accepted point is in raw points, in the hour and day rollups, and in its minute of a minute chart", async () => {
  const { product, ingestKey, readKey } = await makeProductWithKeys(server.deps);
  const res = await post(server, "/api/v1/points", JSON.stringify([
    { metric: "revenue", value: 10, timestamp: "2026-01-05T10:00:00Z", tags: { plan: "pro" } },
    { metric: "revenue", value: 5, timestamp: "2026-01-05T10:00:30+00:00", tags: { plan: "free" } },
    { metric: "revenue", value: 1, timestamp: "2026-01-05T12:00:00" }, // zone-less = UTC
  ]), { key: ingestKey });
  expect(res).toMatchObject({ status: 200, json: { accepted: 3 } });
  expect(allTagsTotals(server, product.id, "revenue")).toEqual({ count: 3, sum: 16 });
  const db = server.deps.db.$client;
  const hour = rollupRows(server.deps, "rollup_1h", product.id, { allTags: true }).find((r) => r.b === Date.UTC(2026, 0, 5, 10, 0));
  expect(hour).toMatchObject({ count: 2, sum: 15, min: 5, max: 10 });
  const minutes = await server.fetch("/api/v1/query", {
    method: "POST",
    headers: { authorization: `Bearer ${readKey}`, "content-type": "application/json" },
    body: JSON.stringify({ metric: "revenue", aggregation: "max", granularity: "minute", from: "2026-01-05T09:59:00Z", to: "2026-01-05T10:02:00Z" }),
  });
  expect(((await minutes.json()) as { series: { points: { v: number | null }[] }[] }).series[0]!.points.map((p) => p.v)).toEqual([null, 10, null]);
  const tags = db.query(`SELECT key, value FROM series_tags t JOIN series s ON s.id = t.series_id WHERE s.product_id = ? ORDER BY value`).all(product.id);
  expect(tags).toEqual([{ key: "plan", value: "free" }, { key: "plan", value: "pro" }]);
  const zoneless = storedPoints(server.deps, product.id).find((p) => p.v === 1);
  expect(zoneless?.t).toBe(Date.UTC(2026, 0, 5, 12));
});

test("a point without timestamp gets the server's time", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const before = Date.now();
  await post(server, "/api/v1/points", JSON.stringify({ metric: "now", value: 1 }), { key: ingestKey });
  const row = storedPoints(server.deps, product.id)[0]!;
  expect(row.t).toBeGreaterThanOrEqual(before);
  expect(row.t).toBeLessThanOrEqual(Date.now());
});

test("two points with the same series and time both count", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const pt = { metric: "dup", value: 2, timestamp: "2026-01-01T00:00:00Z" };
  await post(server, "/api/v1/points", JSON.stringify([pt, pt]), { key: ingestKey });
  expect(allTagsTotals(server, product.id, "dup")).toEqual({ count: 2, sum: 4 });
  expect(counts(server, product.id).points).toBe(2);
});

test("a lone request on an idle server is answered", async () => {
  await Bun.sleep(50);
  const res = await post(server, "/api/v1/points", one, { key: p.ingestKey });
  expect(res.status).toBe(200);
});
