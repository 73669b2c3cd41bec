/**
 * Ceiling 1: bare bun:sqlite on our schema — raw points as the schema keeps them, one prepared
 * INSERT per (series, UTC hour) of each 1000-point batch into point_blocks, in one transaction per
 * batch, series ids from a Map. No HTTP, no validation, no appending to earlier rows, no rollups:
 * the most this SQLite file can take with these pragmas. Env: DIR, SYNC (full|normal), N.
 */
import { join } from "node:path";
import { openDatabase } from "../../src/db/connection";
import { migrate } from "../../src/db/migrate";
import { batches, pointsOf, METRIC } from "../lib/points";
import { serveWorker } from "../lib/rpc";

const db = openDatabase(join(process.env.DIR!, "ceiling.db"), { sync: process.env.SYNC === "normal" ? "normal" : "full" });
const sqlite = db.$client;
await migrate(sqlite);
const point = pointsOf(Number(process.env.N));
const seriesIds = new Map<string, number>();
const insertSeries = sqlite.prepare("INSERT INTO series (product_id, metric, tags_hash, tags, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id");
const HOUR = 3_600_000;
const insertBlock = sqlite.prepare("INSERT INTO point_blocks (series_id, block, n, t_min, t_max, data) VALUES (?, ?, ?, ?, ?, ?)");
const insertBatch = sqlite.transaction((rows: { s: number; t: number; v: number }[]) => {
  const blocks = new Map<string, { s: number; k: number; n: number; lo: number; hi: number; d: string }>();
  for (const r of rows) {
    const k = Math.floor(r.t / HOUR);
    const key = `${r.s}:${k}`;
    const b = blocks.get(key);
    const pair = `[${r.t - k * HOUR},${r.v}]`;
    if (!b) blocks.set(key, { s: r.s, k, n: 1, lo: r.t, hi: r.t, d: pair });
    else ((b.n += 1), (b.lo = Math.min(b.lo, r.t)), (b.hi = Math.max(b.hi, r.t)), (b.d += "," + pair));
  }
  for (const b of blocks.values()) insertBlock.run(b.s, b.k, b.n, b.lo, b.hi, `[${b.d}]`);
});

function seriesId(tags: Record<string, string>): number {
  const key = JSON.stringify(tags);
  let id = seriesIds.get(key);
  if (id === undefined) {
    id = (insertSeries.get("bench", METRIC, key, key, Date.now()) as { id: number }).id;
    seriesIds.set(key, id);
  }
  return id;
}

await serveWorker((msg: { from: number; to: number; batch: number; shuffled?: boolean }) => {
  const start = performance.now();
  let count = 0;
  for (const batch of batches(point, msg.from, msg.to, msg.batch, msg.shuffled)) {
    insertBatch.immediate(batch.map((p) => ({ s: seriesId(p.tags), t: p.tsMs, v: p.value })));
    count += batch.length;
  }
  return { ms: performance.now() - start, points: count };
});
