/**
 * Ceiling 1: bare bun:sqlite on our schema — prepared single-row INSERTs into `points` in one
 * transaction per 1000-point batch, series ids from a Map. No HTTP, no validation, no rollups:
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
const insertPoint = sqlite.prepare("INSERT INTO points (series_id, ts_ms, value) VALUES (?, ?, ?)");
const insertBatch = sqlite.transaction((rows: { s: number; t: number; v: number }[]) => {
  for (const r of rows) insertPoint.run(r.s, r.t, r.v);
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
