import { afterEach, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestDeps } from "../helpers/deps";
import { tempDir } from "../helpers/server";
import { makeProductWithKeys } from "../helpers/factories";
import { REPO } from "../helpers/process";
import { fixedClock } from "../../src/lib/clock";
import { inspectDatabaseFile } from "../../src/ops/backup";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

type Journal = { entries: { idx: number; when: number; tag: string }[] };
const journal = JSON.parse(readFileSync(join(REPO, "migrations/meta/_journal.json"), "utf8")) as Journal;

/** A database as an older LiteKPI left it: every migration but the last applied, as migrate does. */
function olderDatabase(path: string) {
  const db = new Database(path);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  for (const entry of journal.entries.slice(0, -1)) {
    const sql = readFileSync(join(REPO, `migrations/${entry.tag}.sql`), "utf8");
    for (const statement of sql.split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean)) db.exec(statement);
    db.query(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES ('old', ?)`).run(entry.when);
  }
  db.close();
}

const backupsIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

test("an existing database with pending migrations is copied to DATA_DIR/backups before they run; a new or current one is not", async () => {
  expect(journal.entries.length).toBeGreaterThanOrEqual(2);
  const fresh = tempDir();
  cleanups.push(fresh.remove);
  await (await createTestDeps({ dataDir: fresh.path })).close();
  expect(existsSync(join(fresh.path, "backups"))).toBe(false);

  const dir = tempDir();
  cleanups.push(dir.remove);
  olderDatabase(join(dir.path, "litekpi.db"));
  const made = await createTestDeps({ dataDir: dir.path, clock: fixedClock(Date.UTC(2026, 11, 1, 10, 0, 0)) });
  const live = (made.deps.db.$client.query(`SELECT count(*) AS n FROM "__drizzle_migrations"`).get() as { n: number }).n;
  await made.close();
  expect(live).toBe(journal.entries.length);
  const backups = join(dir.path, "backups");
  expect(backupsIn(backups)).toEqual(["pre-migration-2026-12-01T10-00-00.000Z.db"]);
  // The copy is the database as it was before the migration: one migration fewer, sound.
  expect(inspectDatabaseFile(join(backups, "pre-migration-2026-12-01T10-00-00.000Z.db"))).toEqual({ ok: true, migrations: journal.entries.length - 1 });

  // Up to date now: the next start copies nothing.
  await (await createTestDeps({ dataDir: dir.path })).close();
  expect(backupsIn(backups)).toHaveLength(1);
});

test("the scheduled backup writes BACKUP_DIR/backup-<time>.db, keeps the newest BACKUP_KEEP and leaves other files alone", async () => {
  const out = tempDir("litekpi-backups-");
  cleanups.push(out.remove);
  writeFileSync(join(out.path, "notes.txt"), "mine");
  writeFileSync(join(out.path, "other.db"), "mine too");
  const clock = fixedClock(Date.UTC(2026, 0, 1, 3, 17));
  const made = await createTestDeps({ env: { BACKUP_DIR: out.path, BACKUP_KEEP: "3" }, clock });
  cleanups.push(() => made.close());
  expect(made.deps.scheduler.names()).toContain("ops.backup");
  const p = await makeProductWithKeys(made.deps);
  for (let day = 1; day <= 5; day++) {
    await made.deps.queue.submitPoints(p.product.id, [{ metric: "m", value: day, tsMs: clock.now(), tags: {} }]);
    await made.deps.scheduler.runJobNow("ops.backup");
    clock.advance(86_400_000);
  }
  const job = made.deps.db.$client.query("SELECT runs, last_error FROM jobs WHERE name = 'ops.backup'").get();
  expect(job).toEqual({ runs: 5, last_error: null });
  expect(backupsIn(out.path)).toEqual([
    "backup-2026-01-03T03-17-00.000Z.db",
    "backup-2026-01-04T03-17-00.000Z.db",
    "backup-2026-01-05T03-17-00.000Z.db",
    "notes.txt",
    "other.db",
  ]);
  // Each is a sound copy of its day: the newest holds all 5 points, the oldest kept 3.
  for (const [file, points] of [["backup-2026-01-03T03-17-00.000Z.db", 3], ["backup-2026-01-05T03-17-00.000Z.db", 5]] as const) {
    const path = join(out.path, file);
    expect(inspectDatabaseFile(path)).toMatchObject({ ok: true });
    const db = new Database(path, { readonly: true });
    expect((db.query("SELECT count(*) AS n FROM points").get() as { n: number }).n).toBe(points);
    db.close();
  }
});

test("without BACKUP_DIR the scheduled backup writes nothing", async () => {
  const made = await createTestDeps();
  cleanups.push(() => made.close());
  const before = readdirSync(made.dataDir).sort();
  await made.deps.scheduler.runJobNow("ops.backup");
  expect(made.deps.db.$client.query("SELECT last_error FROM jobs WHERE name = 'ops.backup'").get()).toEqual({ last_error: null });
  expect(readdirSync(made.dataDir).sort()).toEqual(before);
});
