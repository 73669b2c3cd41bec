import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";

/**
 * A real full disk: DATA_DIR on a 16 MiB tmpfs, filled up by a file beside the database. (6 MiB
 * was too small once the schema grew: the database, its WAL and the 4 MiB the writer wants free
 * before it trusts the disk again no longer fit, so /healthz could never recover.) Needs
 * root for `mount` (CI runs as root); elsewhere the test says so and is skipped.
 */
const mountPoint = mkdtempSync(join(tmpdir(), "litekpi-full-"));
const canMount = process.getuid?.() === 0 && Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint]).exitCode === 0;
if (!canMount) console.warn("disk-full test skipped: mounting a tmpfs needs root (run the tests as root, as CI does)");

let server: TestServer;
beforeAll(async () => {
  if (canMount) server = await startTestServer({ dataDir: mountPoint });
});
afterAll(async () => {
  await server?.stop();
  // Lazy: detached now, freed once the last mapping of the old database file is gone.
  if (canMount) Bun.spawnSync(["umount", "-l", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

test.skipIf(!canMount)("a full disk: 503 storage_unavailable with Retry-After, nothing half-stored, /healthz 503, and recovery once space returns", async () => {
  const { product, ingestKey } = await makeProductWithKeys(server.deps);
  const filler = join(mountPoint, "filler");
  // Leave ~1.5 MiB: a few batches fit, then the WAL cannot grow.
  const free = Number(Bun.spawnSync(["df", "--output=avail", "-B1", mountPoint]).stdout.toString().trim().split("\n")[1]);
  writeFileSync(filler, new Uint8Array(Math.max(0, free - 1_500_000)));
  const send = (batch: number) =>
    server.fetch("/api/v1/points", {
      method: "POST",
      headers: { Authorization: `Bearer ${ingestKey}`, "Content-Type": "application/json" },
      body: JSON.stringify(Array.from({ length: 1000 }, (_, i) => ({ metric: "fill", value: i, timestamp: new Date(Date.UTC(2026, 0, 1) + batch * 60_000_000 + i * 60_000).toISOString(), tags: { batch: String(batch) } }))),
    });

  const acked: number[] = [];
  let refused: Response | null = null;
  for (let b = 0; b < 200 && !refused; b++) {
    const res = await send(b);
    if (res.status === 200) acked.push(b);
    else refused = res;
  }
  expect(acked.length).toBeGreaterThan(0);
  expect(refused?.status).toBe(503);
  expect(refused!.headers.get("Retry-After")).toMatch(/^\d+$/);
  expect(await refused!.json()).toMatchObject({ error: "storage_unavailable" });
  const health = await server.fetch("/healthz");
  expect(health.status).toBe(503);
  expect(await health.json()).toMatchObject({ ok: false, error: "storage_unavailable" });

  // Space returns: health turns 200 by itself, and the same request now goes through.
  rmSync(filler);
  expect((await server.fetch("/healthz")).status).toBe(200);
  const retried = acked.length;
  expect((await send(retried)).status).toBe(200);
  acked.push(retried);

  // Every acknowledged batch is whole; nothing of a refused one was kept.
  const db = new Database(join(mountPoint, "litekpi.db"), { readonly: true });
  try {
    const rows = db
      .query("SELECT t.value AS batch, count(*) AS n FROM points p JOIN series_tags t ON t.series_id = p.series_id AND t.key = 'batch' GROUP BY t.value")
      .all() as { batch: string; n: number }[];
    expect(rows.map((r) => [Number(r.batch), r.n]).sort((a, b) => a[0]! - b[0]!)).toEqual(acked.map((b) => [b, 1000]));
    expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  } finally {
    db.close();
  }
}, 60_000);
