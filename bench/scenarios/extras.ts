import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { REPO } from "../lib/rpc";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";

/** Parts that land later: widget PNG (R8), dashboard page (R10), the tracker's gzip size. */
export async function extrasRound(rec: Recorder, o: { ours: Ours; rounds: number; runs: number }) {
  trackerSize(rec);
  if (!existsSync(join(REPO, "src/reports/snapshot.ts"))) rec.note("R8: src/reports/snapshot.ts not built yet — n/a");
}

const TRACKER_PATHS = ["static/t/t.js", "static/t.js", "static/tracker.js", "static/t/script.js"];

function trackerSize(rec: Recorder) {
  const path = TRACKER_PATHS.map((p) => join(REPO, p)).find(existsSync);
  if (!path) return rec.note("tracker gzip size: no tracking script yet — n/a");
  const bytes = readFileSync(path);
  rec.add("tracker.gzip_bytes", gzipSync(bytes, { level: 9 }).length, "bytes", `tracking script gzip -9 (${path.slice(REPO.length + 1)})`, `${bytes.length} bytes raw`);
}
