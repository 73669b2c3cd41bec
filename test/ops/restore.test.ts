import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/server";
import { runCliProcess } from "../helpers/process";
import { fileHash, integrityOf, readCopy, seedDataDir, smashTableRoot } from "./support";

const DAY = Date.UTC(2026, 10, 2);

describe("litekpi restore", () => {
  const dir = tempDir();
  const scratch = tempDir("litekpi-scratch-");
  const env = { DATA_DIR: dir.path };
  const dbPath = join(dir.path, "litekpi.db");
  const good = join(scratch.path, "good.db");
  let productId = "";
  afterAll(() => (dir.remove(), scratch.remove()));

  beforeAll(async () => {
    // ~20k points over 40 series: a file of many pages, so damage lands on real b-tree pages.
    const made = await seedDataDir(dir.path, async (ingest) => {
      for (let b = 0; b < 20; b++) {
        await ingest(Array.from({ length: 1000 }, (_, i) => ({ metric: "sales", value: i, tsMs: DAY + (b * 1000 + i) * 1000, tags: { shop: `s${i % 40}` } })));
      }
    });
    productId = made.product.id;
    const r = await runCliProcess(["backup", "--to", good], env);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([good, String(readFileSync(good).length)]);
    // Later writes, so that a restore visibly goes back to the backup.
    await seedDataDir(dir.path);
  });

  const damaged: [string, (bytes: Buffer) => Buffer | void, string][] = [
    ["its header overwritten", (b) => void b.fill(0x41, 0, 100), "not a readable SQLite database"],
    ["truncated to 60 %", (b) => b.subarray(0, Math.floor(b.length * 0.6)), "Refusing to restore"],
    ["an empty file", () => Buffer.alloc(0), "not a LiteKPI database"],
  ];
  test.each(damaged)("a backup with %s is refused with a clear message and nothing changes", (name, damage, message) => {
    const file = join(scratch.path, `${name.replace(/\W+/g, "-")}.db`);
    const bytes = readFileSync(good);
    writeFileSync(file, damage(bytes) ?? bytes);
    return expectRefused(file, message);
  });

  test("a backup with a table's root page smashed fails integrity_check and is refused", async () => {
    const file = join(scratch.path, "smashed.db");
    writeFileSync(file, readFileSync(good));
    smashTableRoot(file, "point_blocks", scratch.path);
    await expectRefused(file, "Refusing to restore");
  });

  test("a SQLite database that is not LiteKPI's is refused", async () => {
    const file = join(scratch.path, "other.db");
    const other = new Database(file);
    other.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello')");
    other.close();
    await expectRefused(file, "not a LiteKPI database");
  });

  test("a missing file is refused", async () => {
    await expectRefused(join(scratch.path, "nope.db"), "No backup file");
  });

  test("a good backup replaces the database and keeps the previous one", async () => {
    const before = fileHash(dbPath);
    const r = await runCliProcess(["restore", "--from", good], env);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([dbPath, `${dbPath}.before-restore`]);
    expect(fileHash(`${dbPath}.before-restore`)).toBe(before);
    expect(fileHash(dbPath)).toBe(fileHash(good));
    const [users, points, integrity] = readCopy(dbPath, scratch.path, (db) => [
      (db.query("SELECT count(*) AS n FROM users").get() as { n: number }).n,
      (db.query("SELECT count(*) AS n FROM points p JOIN series s ON s.id = p.series_id WHERE s.product_id = ?").get(productId) as { n: number }).n,
      integrityOf(db),
    ]);
    expect([users, points, integrity]).toEqual([1, 20_000, "ok"]); // the second seed's user is gone again
  });

  test("backup refuses to write over the database itself", async () => {
    const before = fileHash(dbPath);
    for (const target of [dbPath, `${dbPath}-wal`]) {
      const r = await runCliProcess(["backup", "--to", target], env);
      expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("is the database itself")]);
    }
    expect(fileHash(dbPath)).toBe(before);
  });

  async function expectRefused(file: string, message: string) {
    const before = fileHash(dbPath);
    // -wal/-shm are left out: this test process's own closed connections (the seeds') may still
    // be finalized by the garbage collector meanwhile, and the last one to go removes them.
    const files = () => readdirSync(dir.path).filter((f) => !/-(wal|shm)$/.test(f)).sort();
    const listing = files();
    const r = await runCliProcess(["restore", "--from", file], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain("Nothing was changed");
    expect(fileHash(dbPath)).toBe(before);
    expect(files()).toEqual(listing); // no temp file left, no before-restore
    expect(existsSync(`${dbPath}.before-restore`)).toBe(false);
  }

  test("on STORAGE=chdb a backup says on stderr that the data plane is not in it; stdout keeps its contract", async () => {
    const file = join(scratch.path, "chdb.db");
    const r = await runCliProcess(["backup", "--to", file, "--json"], { ...env, STORAGE: "chdb" });
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout)).sort()).toEqual(["bytes", "file", "tookMs"]);
    expect(r.stderr).toContain("this backup holds the control plane only");
    expect(r.stderr).toContain(join(dir.path, "clickhouse"));
    // On SQLite the file is everything: nothing on stderr.
    expect((await runCliProcess(["backup", "--to", join(scratch.path, "sqlite.db")], env)).stderr).toBe("");
  });
});
