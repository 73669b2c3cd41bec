import { Database } from "bun:sqlite";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";
import type { Peer } from "../systems/peers";

/**
 * R11: bytes on disk per stored point, right after the batched-ingest phase, each system as it
 * left its files: ours = the SQLite file + WAL after a checkpoint (raw points, series, rollups,
 * indexes) over every point it holds; a peer = its whole data directory over the points it took,
 * once its size stops changing. InfluxDB's points are then mostly in its WAL (TSM compaction runs
 * later), VictoriaMetrics' in compressed parts.
 */
export async function storageRound(rec: Recorder, o: { ours: Ours; peers: Peer[]; peerPoints: number }) {
  const db = new Database(o.ours.dbPath);
  let points = 0;
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.query("PRAGMA wal_checkpoint(TRUNCATE)").get(); // BUSY under a reader is fine: the WAL is counted
    points = (db.query("SELECT count(*) AS n FROM points").get() as { n: number }).n;
  } finally {
    db.close();
  }
  const ours = fileSize(o.ours.dbPath) + fileSize(`${o.ours.dbPath}-wal`);
  if (points) rec.add("storage.ours.bytes_per_point", ours / points, "B", "bytes on disk per point, ours", `${points.toLocaleString("en")} points, ${(ours / 1e6).toFixed(1)} MB (SQLite file + WAL)`);
  for (const p of o.peers) {
    await p.flush();
    // VictoriaMetrics writes its flushed parts in the background: wait until the size holds still.
    let bytes = dirSize(p.dataDir);
    for (let waited = 0; waited < 10_000; waited += 500) {
      await Bun.sleep(500);
      const now = dirSize(p.dataDir);
      if (now === bytes && waited >= 1_000) break;
      bytes = now;
    }
    rec.add(`storage.${p.name}.bytes_per_point`, bytes / o.peerPoints, "B", `bytes on disk per point, ${p.label}`, `${o.peerPoints.toLocaleString("en")} points, ${(bytes / 1e6).toFixed(1)} MB (data dir as left after ingest)`);
  }
}

const fileSize = (path: string) => (existsSync(path) ? statSync(path).size : 0);

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += dirSize(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
