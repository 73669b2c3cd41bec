import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { runCliProcess } from "../helpers/process";
import { deleteProduct } from "../../src/products/delete-product";
import { regenerateKey, revokeKey } from "../../src/products/keys";

// Bearer checks are cached in the server process; every way a key stops working must still
// count on the very next request.
describe("API key checks see every revoke at once", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  const ingest = (key: string) =>
    server.fetch("/api/v1/points", {
      method: "POST",
      headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metric: "m", value: 1 }),
    });

  test("revoked by another process (the CLI): 401 on the next request", async () => {
    const p = await makeProductWithKeys(server.deps, { email: "cli-revoke@example.com" });
    expect((await ingest(p.ingestKey)).status).toBe(200);
    const r = await runCliProcess(["keys", "revoke", "--id", p.ingestKeyId], { DATA_DIR: server.dataDir });
    expect(r.code).toBe(0);
    expect((await ingest(p.ingestKey)).status).toBe(401);
  }, 30_000);

  test("revoked or regenerated in this process: 401 on the next request", async () => {
    const p = await makeProductWithKeys(server.deps, { email: "in-process@example.com" });
    expect((await ingest(p.ingestKey)).status).toBe(200);
    const { secret } = regenerateKey(server.deps.db, p.ingestKeyId, p.product.id, Date.now());
    expect((await ingest(p.ingestKey)).status).toBe(401);
    expect((await ingest(secret)).status).toBe(200);
    const fresh = server.deps.db.$client.query("SELECT id FROM api_keys WHERE product_id = ? AND revoked_at IS NULL AND scope = 'ingest'").get(p.product.id) as { id: string };
    revokeKey(server.deps.db, fresh.id, Date.now());
    expect((await ingest(secret)).status).toBe(401);
  });

  test("keys of a deleted product: 401 on the next request", async () => {
    const p = await makeProductWithKeys(server.deps, { email: "deleted@example.com" });
    expect((await ingest(p.ingestKey)).status).toBe(200);
    deleteProduct(server.deps.db, p.product.id, Date.now());
    expect((await ingest(p.ingestKey)).status).toBe(401);
  });
});
