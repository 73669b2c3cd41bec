import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { tempDir } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { BUN, REPO, freePort, waitForHttp } from "../helpers/process";

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

/**
 * The stream's durability: a message is acked only after the commit that stored it, so a
 * SIGKILL right after any number of acks loses none of them (and no message is half-stored).
 */
test("WebSocket acks survive a SIGKILL: every acked message's events are in the database after restart", async () => {
  const dir = tempDir();
  cleanups.push(dir.remove);
  const setup = await createDeps(loadConfig({ DATA_DIR: dir.path, LOG_LEVEL: "silent" }), { log: createLogger("silent") });
  const { product, ingestKey } = await makeProductWithKeys(setup);
  await setup.close();

  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = startServer(dir.path, port);
  await waitForHttp(`${url}/healthz`);

  // Message n carries n % 5 + 1 events with ids "n-k"; up to 32 messages unanswered at a time.
  const size = (n: number) => (n % 5) + 1;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/events/stream?key=${ingestKey}`);
  await new Promise<void>((resolve, reject) => ((ws.onopen = () => resolve()), (ws.onerror = () => reject(new Error("no connection")))));
  const acked = new Set<number>();
  let sent = 0;
  let stop = false;
  const pump = () => {
    while (!stop && sent - acked.size < 32) {
      const n = ++sent;
      ws.send(JSON.stringify(Array.from({ length: size(n) }, (_, k) => ({ event: "tick", id: `${n}-${k}`, properties: { n } }))));
    }
  };
  ws.onmessage = (m) => {
    const a = JSON.parse(String(m.data));
    if (typeof a.ack === "number") acked.add(a.ack);
    pump();
  };
  pump();
  while (acked.size < 300) await Bun.sleep(5);
  server.kill("SIGKILL"); // messages are in flight and queued
  stop = true;
  await server.exited;
  const ackedAtKill = new Set(acked);

  const again = startServer(dir.path, port);
  await waitForHttp(`${url}/healthz`);
  again.kill("SIGTERM");
  expect(await again.exited).toBe(0);

  const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
  cleanups.push(() => db.close());
  const rows = db.query("SELECT id FROM events WHERE product_id = ?").all(product.id) as { id: string }[];
  const perMessage = new Map<number, number>();
  for (const r of rows) {
    const n = Number(r.id.split("-")[0]);
    perMessage.set(n, (perMessage.get(n) ?? 0) + 1);
  }
  expect(ackedAtKill.size).toBeGreaterThanOrEqual(300);
  for (const n of ackedAtKill) expect([n, perMessage.get(n)]).toEqual([n, size(n)]);
  // Messages stored but not yet acked (committed just before the kill) are whole too.
  for (const [n, count] of perMessage) expect([n, count]).toEqual([n, size(n)]);
}, 60_000);
