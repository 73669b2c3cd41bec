/**
 * Ceiling 2: our storage module fed in-process — the real write queue and writer thread (group
 * commit, series registry, rollups folded in memory) with the same batches and concurrency as
 * the HTTP load, but no HTTP, no JSON and no validation. R1 compares HTTP ingest with this.
 * Env: DIR, SYNC, N.
 */
import { join } from "node:path";
import { openDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { systemClock } from "../../src/lib/clock";
import { createLogger } from "../../src/lib/log";
import { batches, pointsOf, toRecords } from "../lib/points";
import { serveWorker } from "../lib/rpc";
import { createUser } from "../../src/auth/users";
import { createProduct } from "../../src/products/products";

const { createWriteQueue } = await import("../../src/writer/queue");
const dbPath = join(process.env.DIR!, "storage.db");
const sync = process.env.SYNC === "normal" ? "normal" : "full";
const db = openDatabase(dbPath, { sync });
await migrate(db.$client);
// The queue refuses points for a product that does not exist (a deleted one), so make a real one.
const owner = await createUser(db, { email: "ceiling@example.com", verified: true }, Date.now());
const product = createProduct(db, { ownerId: owner.id, name: "ceiling" }, Date.now());
const log = createLogger("warn");
const queue = createWriteQueue({ init: { dbPath, sync, maxSeriesPerProduct: 1_000_000, logLevel: "warn" }, clock: systemClock, log, onFatal: () => process.exit(70) });
await queue.start();
const point = pointsOf(Number(process.env.N));

await serveWorker(async (msg: { from: number; to: number; batch: number; concurrency: number; shuffled?: boolean }) => {
  const start = performance.now();
  const source = batches(point, msg.from, msg.to, msg.batch, msg.shuffled);
  let count = 0;
  const lane = async () => {
    for (let next = source.next(); !next.done; next = source.next()) {
      const records = toRecords(next.value);
      await queue.submitPoints(product.id, records);
      count += records.length;
    }
  };
  await Promise.all(Array.from({ length: msg.concurrency }, lane));
  return { ms: performance.now() - start, points: count };
});
