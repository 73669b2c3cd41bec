import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config";
import { createDeps } from "../../src/boot";
import { createLogger } from "../../src/lib/log";
import { deleteProduct } from "../../src/products/delete-product";
import { tempDir } from "../helpers/server";
import { runCliProcess } from "../helpers/process";
import { makeProductWithKeys } from "../helpers/factories";
import { smashTableRoot } from "./support";

describe("litekpi doctor", () => {
  const dir = tempDir();
  const scratch = tempDir("litekpi-scratch-");
  const env = { DATA_DIR: dir.path };
  const dbPath = join(dir.path, "litekpi.db");
  afterAll(() => (dir.remove(), scratch.remove()));

  beforeAll(async () => {
    const deps = await createDeps(loadConfig({ DATA_DIR: dir.path, LOG_LEVEL: "silent" }), { log: createLogger("silent") });
    const keep = await makeProductWithKeys(deps);
    const gone = await makeProductWithKeys(deps);
    await deps.queue.submitPoints(keep.product.id, Array.from({ length: 5000 }, (_, i) => ({ metric: "m", value: i, tsMs: Date.UTC(2026, 0, 1) + i * 1000, tags: { k: String(i % 50) } })));
    deleteProduct(deps.db, gone.product.id, deps.clock.now()); // its data rows wait for the purge job
    await deps.close();
  });

  test("prints sizes, the integrity check, pending purges and that there is no backup yet", async () => {
    const r = await runCliProcess(["doctor"], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      `database: ${dbPath} (${statSync(dbPath).size} bytes)`,
      "wal: 0 bytes",
      "integrity: ok (integrity_check)",
      "pending product purges: 1",
      "last backup: none",
      "",
    ]);
  });

  test("--json names the newest backup in DATA_DIR/backups or BACKUP_DIR", async () => {
    const backupDir = join(scratch.path, "scheduled");
    const first = await runCliProcess(["backup", "--to", join(dir.path, "backups", "manual-1.db")], env);
    expect(first.code).toBe(0);
    await Bun.sleep(20); // distinct modification times
    const second = await runCliProcess(["backup", "--to", join(backupDir, "backup-2.db"), "--json"], env);
    const newest = JSON.parse(second.stdout) as { file: string; bytes: number };
    const r = await runCliProcess(["doctor", "--json"], { ...env, BACKUP_DIR: backupDir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      database: dbPath,
      databaseBytes: statSync(dbPath).size,
      walBytes: 0,
      check: "integrity_check",
      integrity: "ok",
      ok: true,
      pendingPurges: 1,
      lastBackup: { file: newest.file, bytes: newest.bytes, at: statSync(newest.file).mtime.toISOString() },
    });
  });

  test("a damaged database fails the check: the problems are printed and the exit code is 1", async () => {
    const broken = join(scratch.path, "broken");
    mkdirSync(broken);
    copyFileSync(dbPath, join(broken, "litekpi.db"));
    smashTableRoot(join(broken, "litekpi.db"), "point_blocks", scratch.path);
    const r = await runCliProcess(["doctor"], { DATA_DIR: broken });
    expect(r.code).toBe(1);
    const integrity = r.stdout.split("\n").find((l) => l.startsWith("integrity: "));
    expect(integrity).toBeDefined();
    expect(integrity).not.toBe("integrity: ok (integrity_check)");
  });

  test("no database is a clear error, and none is created", async () => {
    const empty = join(scratch.path, "empty");
    const r = await runCliProcess(["doctor"], { DATA_DIR: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No database at");
    expect(existsSync(join(empty, "litekpi.db"))).toBe(false);
  });
});
