import { expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { systemClock } from "../../src/lib/clock";
import { createWriteQueue } from "../../src/writer/queue";
import { tempDir } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";

test("a writer thread that dies fails every waiting request with 503 and acknowledges nothing after", async () => {
  const dir = tempDir();
  const deps = await createDeps(loadConfig({ DATA_DIR: dir.path }), { log: createLogger("silent") });
  try {
    const { product } = await makeProductWithKeys(deps);
    const fatal: Error[] = [];
    const queue = createWriteQueue({
      init: { dbPath: join(dir.path, "litekpi.db"), sync: "full", maxSeriesPerProduct: 100, logLevel: "silent" },
      log: createLogger("silent"),
      clock: systemClock,
      onFatal: (err) => fatal.push(err),
      entry: Bun.pathToFileURL(join(import.meta.dir, "fixtures/dying-writer.ts")).href,
    });
    await queue.start();
    const point = { metric: "m", value: 1, tsMs: Date.UTC(2026, 0, 1), tags: {} };
    const first = queue.submitPoints(product.id, [point]);
    await expect(first).rejects.toMatchObject({ status: 503, code: "storage_unavailable" });
    expect(fatal).toHaveLength(1);
    // Nothing is taken once the writer is gone, and health says why.
    await expect(queue.submitPoints(product.id, [point])).rejects.toMatchObject({ status: 503, code: "storage_unavailable" });
    expect(queue.health().ok).toBe(false);
    expect(deps.db.$client.query("SELECT count(*) AS n FROM points").get()).toEqual({ n: 0 });
    await queue.close();
  } finally {
    await deps.close();
    dir.remove();
  }
});
