import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { AppError } from "../../src/lib/errors";
import { tempDir } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";

async function freshDeps() {
  const dir = tempDir();
  const deps = await createDeps(loadConfig({ DATA_DIR: dir.path }), { log: createLogger("silent") });
  return { dir, deps };
}

test("close() drains queued writes before the database closes, then refuses new ones", async () => {
  const { dir, deps } = await freshDeps();
  try {
    const { product } = await makeProductWithKeys(deps);
    const t = Date.UTC(2026, 0, 1);
    const waiting = Array.from({ length: 20 }, (_, b) =>
      deps.queue.submitPoints(product.id, Array.from({ length: 50 }, (_, i) => ({ metric: "m", value: 1, tsMs: t + b * 1000 + i, tags: { b: String(b % 3) } }))),
    );
    await deps.close(); // what SIGTERM does after the server stopped accepting
    expect((await Promise.all(waiting)).map((r) => r.accepted)).toEqual(Array(20).fill(50));
    await expect(deps.queue.submitPoints(product.id, [{ metric: "m", value: 1, tsMs: t, tags: {} }])).rejects.toBeInstanceOf(AppError);
    const db = new Database(join(dir.path, "litekpi.db"), { readonly: true });
    expect(db.query("SELECT count(*) AS n FROM points").get()).toEqual({ n: 1000 });
    expect(db.query("SELECT sum(count) AS n FROM rollup_1h r JOIN series s ON s.id = r.series_id WHERE s.tags_hash = '*'").get()).toEqual({ n: 1000 });
    db.close();
  } finally {
    await deps.close();
    dir.remove();
  }
});

test("requests submitted together share one flush; each gets its own answer", async () => {
  const { dir, deps } = await freshDeps();
  try {
    const { product } = await makeProductWithKeys(deps);
    const before = deps.queue.stats().flushes;
    const answers = await Promise.all([3, 1, 2].map((n) => deps.queue.submitPoints(product.id, Array.from({ length: n }, () => ({ metric: "x", value: 2, tsMs: Date.UTC(2026, 0, 1), tags: {} })))));
    expect(answers).toEqual([{ accepted: 3 }, { accepted: 1 }, { accepted: 2 }]);
    expect(deps.queue.stats().flushes - before).toBe(1);
  } finally {
    await deps.close();
    dir.remove();
  }
});

test("a lone submit on an idle queue is flushed without waiting for company", async () => {
  const { dir, deps } = await freshDeps();
  try {
    const { product } = await makeProductWithKeys(deps);
    await Bun.sleep(20);
    expect(await deps.queue.submitPoints(product.id, [{ metric: "lone", value: 1, tsMs: Date.UTC(2026, 0, 1), tags: {} }])).toEqual({ accepted: 1 });
  } finally {
    await deps.close();
    dir.remove();
  }
});

test("one series per tag set, whatever the key order; series_tags hold its tags", async () => {
  const { dir, deps } = await freshDeps();
  try {
    const { product } = await makeProductWithKeys(deps);
    const t = Date.UTC(2026, 0, 1);
    await deps.queue.submitPoints(product.id, [
      { metric: "m", value: 1, tsMs: t, tags: { b: "2", a: "1" } },
      { metric: "m", value: 1, tsMs: t, tags: { a: "1", b: "2" } },
    ]);
    await deps.queue.submitPoints(product.id, [{ metric: "m", value: 1, tsMs: t, tags: { b: "2", a: "1" } }]);
    const db = deps.db.$client;
    expect(db.query("SELECT tags FROM series WHERE product_id = ? ORDER BY id").all(product.id)).toEqual([{ tags: '{"a":"1","b":"2"}' }, { tags: "*" }]);
    expect(db.query("SELECT key, value FROM series_tags ORDER BY key").all()).toEqual([{ key: "a", value: "1" }, { key: "b", value: "2" }]);
    expect(db.query("SELECT count(*) AS n FROM points").get()).toEqual({ n: 3 });
  } finally {
    await deps.close();
    dir.remove();
  }
});

test("requests still queued when their product is deleted are refused, not written", async () => {
  const { dir, deps } = await freshDeps();
  try {
    const { product } = await makeProductWithKeys(deps);
    const pending = deps.queue.submitPoints(product.id, [{ metric: "m", value: 1, tsMs: Date.UTC(2026, 0, 1), tags: {} }]);
    deps.db.$client.query("DELETE FROM products WHERE id = ?").run(product.id); // before the flush runs
    await expect(pending).rejects.toMatchObject({ status: 404 });
    expect(deps.db.$client.query("SELECT count(*) AS n FROM series").get()).toEqual({ n: 0 });
  } finally {
    await deps.close();
    dir.remove();
  }
});
