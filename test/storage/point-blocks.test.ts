import { expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { join } from "node:path";
import fc from "fast-check";
import { migrate } from "../../src/db/migrate";
import { sha256Hex } from "../../src/lib/tokens";
import { createBlockWriter, APPEND_BELOW } from "../../src/storage/sqlite/point-blocks";
import { aggregateRaw, countRaw } from "../../src/storage/sqlite/points-read";
import { pointsInTimeOrder } from "../../src/storage/sqlite/points-in-order";
import { RAW_UNITS, type Fragment } from "../../src/query/sql";
import type { PointRow } from "../../src/query/export-rows";

/**
 * Raw points in hour blocks (src/storage/sqlite/point-blocks.ts), checked against the points
 * written: the blocks the writer appends to, the migration that moved an existing `points` table
 * into blocks, and the three raw reads (aggregate by tag and slice, the scan count, time order).
 */
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);

async function databaseBeforeBlocks(): Promise<Database> {
  // Migrations up to 0017 (point_blocks exists, points is still a table), as an installation had them.
  const sqlite = new Database(":memory:");
  sqlite.exec(`CREATE TABLE "__drizzle_migrations" (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)`);
  const journal = (await Bun.file(join(import.meta.dir, "../../migrations/meta/_journal.json")).json()) as { entries: { idx: number; when: number; tag: string }[] };
  for (const entry of journal.entries.filter((e) => e.idx <= 17)) {
    const sql = await Bun.file(join(import.meta.dir, `../../migrations/${entry.tag}.sql`)).text();
    for (const statement of sql.split("--> statement-breakpoint").map((s) => s.trim()).filter(Boolean)) sqlite.exec(statement);
    sqlite.query(`INSERT INTO "__drizzle_migrations" (hash, created_at) VALUES (?, ?)`).run(sha256Hex(sql), entry.when);
  }
  return sqlite;
}

async function migratedDatabase(): Promise<Database> {
  const sqlite = new Database(":memory:");
  await migrate(sqlite);
  return sqlite;
}

const awkward = [0.1 + 0.2, 1 / 3, -5.5, 1e21, 2 ** 53 + 2, 5e-324, -1e-300, 0, 123456789.12345679];
const value = fc.oneof(fc.constantFrom(...awkward), fc.double({ min: -1e12, max: 1e12, noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v)), fc.integer({ min: -1000, max: 1000 }));
const points = fc.array(fc.record({ s: fc.integer({ min: 1, max: 4 }), t: fc.integer({ min: T0 - 3 * HOUR, max: T0 + 5 * HOUR }), v: value }), { maxLength: 400 });

const ids = (list: number[]): Fragment => ({ sql: "SELECT value AS id FROM json_each(?)", params: [JSON.stringify(list)] });
const sortRows = (rows: PointRow[]) => [...rows].sort((a, b) => a.s - b.s || a.t - b.t || a.v - b.v);
const viewRows = (sqlite: Database) => sortRows(sqlite.query("SELECT series_id AS s, ts_ms AS t, value AS v FROM points").all() as PointRow[]);

/** Writes `rows` through the writer's block writer in `flushes` transactions, each series sorted by time as the sink gives them. */
function writeInFlushes(sqlite: Database, rows: PointRow[], flushes: number) {
  const blocks = createBlockWriter(sqlite);
  const per = Math.max(1, Math.ceil(rows.length / flushes));
  for (let i = 0; i < rows.length; i += per) {
    const bySeries = new Map<number, PointRow[]>();
    for (const r of rows.slice(i, i + per)) (bySeries.get(r.s) ?? bySeries.set(r.s, []).get(r.s)!).push(r);
    sqlite.transaction(() => {
      for (const [s, list] of bySeries) {
        list.sort((a, b) => a.t - b.t);
        blocks.write(s, list.map((r) => r.t), list.map((r) => r.v));
      }
      blocks.finish();
    })();
  }
}

test("a series sent one point per flush ends up in blocks of about APPEND_BELOW points, each value exact", async () => {
  const sqlite = await migratedDatabase();
  const sent: PointRow[] = Array.from({ length: 1000 }, (_, i) => ({ s: 7, t: T0 + i * 1000, v: awkward[i % awkward.length]! * (i + 1) }));
  writeInFlushes(sqlite, sent, sent.length);
  const blocks = (sqlite.query("SELECT count(*) AS n FROM point_blocks").get() as { n: number }).n;
  expect(blocks).toBe(Math.ceil(1000 / APPEND_BELOW));
  expect(viewRows(sqlite)).toEqual(sortRows(sent));
});

test("a rolled-back append is not kept, and the next write still lands", async () => {
  const sqlite = await migratedDatabase();
  const blocks = createBlockWriter(sqlite);
  sqlite.transaction(() => (blocks.write(1, [T0], [1]), blocks.finish()))();
  sqlite.exec("BEGIN");
  blocks.write(1, [T0 + 1], [2]);
  blocks.write(2, [T0 + 2], [3]); // a new block, rolled back with the transaction
  blocks.finish();
  sqlite.exec("ROLLBACK");
  sqlite.transaction(() => (blocks.write(1, [T0 + 3], [4]), blocks.write(2, [T0 + 4], [5]), blocks.finish()))();
  expect(viewRows(sqlite)).toEqual([
    { s: 1, t: T0, v: 1 },
    { s: 1, t: T0 + 3, v: 4 },
    { s: 2, t: T0 + 4, v: 5 },
  ]);
});

test("the migration moves every point of an existing points table into blocks (times before 1970, repeats, awkward floats)", async () => {
  const template = await databaseBeforeBlocks();
  const image = template.serialize();
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ s: fc.integer({ min: 1, max: 3 }), t: fc.integer({ min: -5 * HOUR, max: 5 * HOUR }), v: value }), { maxLength: 200 }), async (sent) => {
      const sqlite = Database.deserialize(image);
      const insert = sqlite.prepare("INSERT INTO points (series_id, ts_ms, value) VALUES (?, ?, ?)");
      for (const p of sent) insert.run(p.s, p.t, p.v);
      await migrate(sqlite);
      expect((sqlite.query("SELECT type FROM sqlite_master WHERE name = 'points'").get() as { type: string }).type).toBe("view");
      expect(viewRows(sqlite)).toEqual(sortRows(sent));
      const n = (sqlite.query("SELECT coalesce(sum(n), 0) AS n FROM point_blocks").get() as { n: number }).n;
      expect(n).toBe(sent.length);
      sqlite.close();
    }),
    { numRuns: 30 },
  );
});

test("raw reads equal a naive reference: count/sum/min/max by tag and slice, the scan count, and time order", async () => {
  const template = await migratedDatabase();
  // Series 1–4 with a plan tag on 1–3 (series 4 has none: group "").
  for (const [s, plan] of [[1, "free"], [2, "pro"], [3, "pro"]] as const) template.query("INSERT INTO series_tags (series_id, key, value) VALUES (?, 'plan', ?)").run(s, plan);
  const image = template.serialize();
  await fc.assert(
    fc.asyncProperty(
      points,
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: T0 - 4 * HOUR, max: T0 + 6 * HOUR }),
      fc.integer({ min: 1, max: 10 * HOUR }),
      fc.constantFrom(...RAW_UNITS),
      fc.boolean(),
      fc.option(fc.tuple(fc.nat(), fc.nat()), { nil: null }),
      async (sent, flushes, start, width, rawUnit, byPlan, onPoints) => {
        const sqlite = Database.deserialize(image);
        writeInFlushes(sqlite, sent, flushes);
        // Often edges that fall on sent points: the range is [from, to), so a point at `to` is out.
        const edges = onPoints && sent.length ? [sent[onPoints[0] % sent.length]!.t, sent[onPoints[1] % sent.length]!.t].sort((a, b) => a - b) : null;
        const from = edges ? edges[0]! : start;
        const to = edges ? edges[1]! + (edges[0] === edges[1] ? 1 : 0) : start + width;
        const set = { kind: "many" as const, ids: ids([1, 2, 3, 4]) };
        const got = aggregateRaw(sqlite, { productId: "p", source: "points", set, from, to, groupBy: byPlan ? ["plan"] : [], rawUnit, aggregation: "sum", cacheable: false });
        const plan: Record<number, string> = { 1: "free", 2: "pro", 3: "pro", 4: "" };
        const want = new Map<string, { b: number; c: number; s: number; lo: number; hi: number }>();
        for (const p of sent) {
          if (p.t < from || p.t >= to) continue;
          const slice = rawUnit === 1 ? p.t : p.t - (((p.t % rawUnit) + rawUnit) % rawUnit);
          const key = `${byPlan ? plan[p.s] : ""}|${slice}`;
          const a = want.get(key);
          if (!a) want.set(key, { b: p.t, c: 1, s: p.v, lo: p.v, hi: p.v });
          else (a.c++, (a.s += p.v), (a.b = Math.min(a.b, p.t)), (a.lo = Math.min(a.lo, p.v)), (a.hi = Math.max(a.hi, p.v)));
        }
        expect(got.length).toBe(want.size);
        for (const r of got) {
          const slice = rawUnit === 1 ? r.b : r.b - (((r.b % rawUnit) + rawUnit) % rawUnit);
          const w = want.get(`${byPlan ? r.k0 : ""}|${slice}`)!;
          expect(w).toBeDefined();
          expect({ b: r.b, c: r.c, lo: r.lo, hi: r.hi }).toEqual({ b: w.b, c: w.c, lo: w.lo, hi: w.hi });
          expect(Math.abs(r.s - w.s)).toBeLessThanOrEqual(1e-9 * Math.max(1, ...sent.map((p) => Math.abs(p.v))) * sent.length);
        }
        const inRange = sent.filter((p) => p.t >= from && p.t < to).length;
        expect(countRaw(sqlite, { set, from, to }, 1_000_000)).toBe(inRange);
        expect(countRaw(sqlite, { set, from, to }, 3)).toBe(Math.min(3, inRange));
        const ordered: PointRow[] = [];
        const batches = pointsInTimeOrder(sqlite, ids([1, 2, 3, 4]), from, to);
        for (let b = batches.next(); b; b = batches.next()) ordered.push(...b);
        batches.close();
        expect(ordered.map((r) => [r.t, r.s])).toEqual(sent.filter((p) => p.t >= from && p.t < to).map((p) => [p.t, p.s]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
        expect(sortRows(ordered)).toEqual(sortRows(sent.filter((p) => p.t >= from && p.t < to)));
        sqlite.close();
      },
    ),
    { numRuns: 150 },
  );
});

test("a value that is not finite never reaches a block: the write fails and the block stays readable", async () => {
  const sqlite = await migratedDatabase();
  const blocks = createBlockWriter(sqlite);
  sqlite.transaction(() => (blocks.write(1, [T0], [1]), blocks.finish()))();
  for (const bad of [Infinity, -Infinity, NaN]) {
    expect(() => sqlite.transaction(() => (blocks.write(1, [T0 + 1], [bad]), blocks.finish()))()).toThrow("non-finite");
  }
  expect(viewRows(sqlite)).toEqual([{ s: 1, t: T0, v: 1 }]);
});
