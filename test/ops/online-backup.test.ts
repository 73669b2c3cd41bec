import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { tempDir, startTestServer } from "../helpers/server";
import { BUN, REPO, freePort, runCliProcess, waitForHttp } from "../helpers/process";
import { integrityOf, readCopy, seedDataDir } from "./support";
import { readAcks } from "../ingest/fixtures/read-acks";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

async function until(check: () => boolean, what: string, ms = 20_000) {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

type Batches = Map<number, number>;
/** Points per batch tag, as a database holds them. */
const batchesIn = (db: Database, productId: string): Batches =>
  new Map(
    (db
      .query(`SELECT t.value AS batch, count(*) AS n FROM points p JOIN series_tags t ON t.series_id = p.series_id AND t.key = 'batch' JOIN series s ON s.id = p.series_id WHERE s.product_id = ? GROUP BY t.value`)
      .all(productId) as { batch: string; n: number }[]).map((r) => [Number(r.batch), r.n]),
  );

test("a backup taken during continuous ingest holds one commit point, passes integrity_check, and restores to the same query answers", async () => {
  const dir = tempDir();
  const out = tempDir("litekpi-backups-");
  cleanups.push(dir.remove, out.remove);
  const env = { DATA_DIR: dir.path };
  const { product, ingestKey, readKey } = await seedDataDir(dir.path);

  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = Bun.spawn([BUN, "src/main.ts"], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dir.path, LOG_LEVEL: "error", RATE_LIMIT_KEY_RPS: "1000000", RATE_LIMIT_PRODUCT_RPS: "1000000" },
    stdout: "ignore",
    stderr: "inherit",
  });
  cleanups.push(() => void server.kill("SIGKILL"));
  await waitForHttp(`${url}/healthz`);
  const ingester = Bun.spawn([BUN, join(REPO, "test/ingest/fixtures/ingester.ts"), url, ingestKey], { cwd: REPO, stdout: "pipe", stderr: "ignore" });
  cleanups.push(() => void ingester.kill("SIGKILL"));
  const acks: Batches = new Map();
  const reading = readAcks(ingester.stdout, acks);
  await until(() => acks.size >= 300, "300 acknowledged batches");

  // Everything acknowledged before the backup starts must be in it.
  const ackedBefore = new Map(acks);
  const file = join(out.path, "kpi.db");
  const backup = await runCliProcess(["backup", "--to", file, "--json"], env);
  expect(backup.stderr).toBe("");
  expect(backup.code).toBe(0);
  const answer = JSON.parse(backup.stdout);
  expect(answer).toEqual({ file, bytes: statSync(file).size, tookMs: expect.any(Number) });
  const ackedByEnd = acks.size;
  // The server went on ingesting (the backup blocked nothing) …
  await until(() => acks.size >= ackedByEnd + 200, "ingestion after the backup");

  // … and restore refuses while it runs, touching nothing.
  const refused = await runCliProcess(["restore", "--from", file], env);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("stop the server first");
  expect(existsSync(join(dir.path, "litekpi.db.before-restore"))).toBe(false);
  const stillIngesting = acks.size;
  await until(() => acks.size >= stillIngesting + 50, "ingestion after the refused restore");

  ingester.kill("SIGKILL");
  await ingester.exited;
  await reading;
  // An idle server is running too (in WAL mode it holds no lock on litekpi.db while idle).
  await Bun.sleep(200);
  const idle = await runCliProcess(["restore", "--from", file], env);
  expect([idle.code, idle.stderr]).toEqual([1, expect.stringContaining("stop the server first")]);
  // And a second server on the same DATA_DIR does not start.
  const second = await runCliProcess([], { ...env, PORT: String(freePort()), HOST: "127.0.0.1" });
  expect([second.code, second.stderr]).toEqual([1, expect.stringContaining("another LiteKPI server")]);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  server.kill("SIGTERM");
  expect(await server.exited).toBe(0);

  const inBackup = readCopy(file, out.path, (db) => {
    expect(integrityOf(db)).toBe("ok");
    return batchesIn(db, product.id);
  });
  for (const [batch, size] of ackedBefore) expect([batch, inBackup.get(batch)]).toEqual([batch, size]);
  // One commit point: every batch in the copy is whole (batch n has 1 + n % 97 points).
  for (const [batch, n] of inBackup) expect([batch, n]).toEqual([batch, 1 + (batch % 97)]);
  const finalSource = readCopy(join(dir.path, "litekpi.db"), out.path, (db) => batchesIn(db, product.id));
  expect(finalSource.size).toBeGreaterThan(inBackup.size);

  const restored = await runCliProcess(["restore", "--from", file, "--json"], env);
  expect(restored.stderr).toBe("");
  expect(restored.code).toBe(0);
  const dbPath = join(dir.path, "litekpi.db");
  expect(JSON.parse(restored.stdout)).toMatchObject({ file: dbPath, previous: `${dbPath}.before-restore` });
  expect(existsSync(`${dbPath}-wal`)).toBe(false);
  // The replaced database is kept whole, WAL included.
  expect(readCopy(`${dbPath}.before-restore`, out.path, (db) => batchesIn(db, product.id))).toEqual(finalSource);

  // The reference: SQL over the raw rows the backup itself holds, per minute.
  const reference = readCopy(file, out.path, (db) =>
    db
      .query(
        `SELECT p.ts_ms - p.ts_ms % 60000 AS b, sum(p.value) AS sum, count(*) AS n FROM points p JOIN series s ON s.id = p.series_id
         WHERE s.product_id = ? AND s.metric = 'crash' GROUP BY b ORDER BY b`,
      )
      .all(product.id) as { b: number; sum: number; n: number }[],
  );
  const from = reference[0]!.b;
  const to = reference.at(-1)!.b + 60_000;
  const label = (ms: number) => new Date(ms).toISOString().slice(0, 19) + "+00:00";

  const app = await startTestServer({ dataDir: dir.path });
  cleanups.push(() => app.stop());
  const query = async (body: Record<string, unknown>) => {
    const res = await app.fetch("/api/v1/query", {
      method: "POST",
      headers: { Authorization: `Bearer ${readKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ metric: "crash", timezone: "UTC", from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...body }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { series: { points: { t: string; v: number }[] }[]; value?: number };
  };
  for (const [aggregation, field] of [["sum", "sum"], ["count", "n"]] as const) {
    const got = await query({ aggregation, granularity: "minute" });
    const want = new Map(reference.map((r) => [label(r.b), r[field]]));
    expect(got.series[0]!.points.map((p) => [p.t, p.v])).toEqual(got.series[0]!.points.map((p) => [p.t, want.get(p.t) ?? 0]));
    expect(got.series[0]!.points.filter((p) => p.v !== 0).length).toBe(reference.length);
  }
  // A filtered read (one batch's series) answers that batch's points: 1 + 2 + … + size.
  for (const batch of [...inBackup.keys()].slice(0, 5)) {
    const size = inBackup.get(batch)!;
    const got = await query({ aggregation: "sum", filters: { batch: String(batch) } });
    expect([batch, got.value]).toEqual([batch, (size * (size + 1)) / 2]);
  }
}, 120_000);
