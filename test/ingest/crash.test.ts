import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { tempDir } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { BUN, REPO, freePort, waitForHttp } from "../helpers/process";
import { readAcks } from "./fixtures/read-acks";

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function startServer(dataDir: string, port: number) {
  const proc = Bun.spawn([BUN, "src/main.ts"], {
    cwd: REPO,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "error", RATE_LIMIT_KEY_RPS: "1000000", RATE_LIMIT_PRODUCT_RPS: "1000000" },
    stdout: "ignore",
    stderr: "inherit",
  });
  cleanups.push(() => proc.kill("SIGKILL"));
  return proc;
}

type Moment = (ctx: { dbPath: string }) => Promise<void>;

/**
 * Streams numbered batches into a server, SIGKILLs it at `moment`, restarts it on the same files
 * and checks: every acknowledged point survived, no batch is half-stored, rollups match.
 */
async function crashAndCheck(moment: Moment) {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const setup = await createDeps(loadConfig({ DATA_DIR: dir.path, LOG_LEVEL: "silent" }), { log: createLogger("silent") });
  const { product, ingestKey } = await makeProductWithKeys(setup);
  await setup.close();

  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startServer(dir.path, port);
  await waitForHttp(`${url}/healthz`);

  const ingester = Bun.spawn([BUN, join(import.meta.dir, "fixtures/ingester.ts"), url, ingestKey], { cwd: REPO, stdout: "pipe", stderr: "ignore" });
  cleanups.push(() => ingester.kill("SIGKILL"));
  const acks = new Map<number, number>();
  const reading = readAcks(ingester.stdout, acks);
  while (acks.size < 300) await Bun.sleep(10);

  await moment({ dbPath: join(dir.path, "litekpi.db") });
  server.kill("SIGKILL"); // mid-stream: requests are in flight and in the queue
  await server.exited;
  await Bun.sleep(100);
  ingester.kill("SIGKILL");
  await ingester.exited;
  await reading;

  // Restart on the same files (WAL recovery), then stop cleanly and read the database.
  const again = startServer(dir.path, port);
  await waitForHttp(`${url}/healthz`);
  again.kill("SIGTERM");
  expect(await again.exited).toBe(0);

  const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
  cleanups.push(() => db.close());
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  const stored = new Map(
    (db
      .query(
        `SELECT t.value AS batch, count(*) AS n FROM points p JOIN series_tags t ON t.series_id = p.series_id AND t.key = 'batch'
         JOIN series s ON s.id = p.series_id WHERE s.product_id = ? GROUP BY t.value`,
      )
      .all(product.id) as { batch: string; n: number }[]).map((r) => [Number(r.batch), r.n]),
  );
  expect(acks.size).toBeGreaterThanOrEqual(300);
  for (const [batch, size] of acks) expect([batch, stored.get(batch)]).toEqual([batch, size]);
  // Batches stored but not acknowledged (committed just before the kill) are whole too.
  for (const [batch, n] of stored) expect([batch, n]).toEqual([batch, 1 + (batch % 97)]);
  // And the rollups committed with them: the all-tags day rows count every raw point.
  const raw = [...stored.values()].reduce((a, b) => a + b, 0);
  const rolled = db.query(`SELECT sum(r.count) AS n FROM rollup_1d r JOIN series s ON s.id = r.series_id WHERE s.product_id = ? AND s.tags_hash = '*'`).get(product.id) as { n: number };
  expect(rolled.n).toBe(raw);
}

test("SIGKILL mid-stream: every acknowledged point survives, no batch is half-stored, integrity_check ok", async () => {
  await crashAndCheck(async () => {});
}, 90_000);

test("SIGKILL while the writer thread holds its flush transaction: the same guarantees", async () => {
  await crashAndCheck(async ({ dbPath }) => {
    // The writer holds the write lock only inside a flush: when another connection cannot take
    // it (busy_timeout 0), a flush is under way in the writer thread, and the kill lands in it.
    const probe = new Database(dbPath);
    cleanups.push(() => probe.close());
    probe.exec("PRAGMA busy_timeout = 0");
    for (let tries = 0; tries < 100_000; tries++) {
      try {
        probe.exec("BEGIN IMMEDIATE");
        probe.exec("ROLLBACK");
      } catch (err) {
        if ((err as { code?: string }).code?.startsWith("SQLITE_BUSY")) return;
        throw err;
      }
    }
    throw new Error("the writer never held its transaction while we looked");
  });
}, 90_000);
