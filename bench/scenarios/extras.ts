import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { REPO, startWorker } from "../lib/rpc";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";

/** The widget PNG (R8) and the tracker's gzip size. */
export async function extrasRound(rec: Recorder, o: { ours: Ours; dashboardPath: string | null; rounds: number; runs: number }) {
  trackerSize(rec);
  await pngRounds(rec, o);
}

async function pngRounds(rec: Recorder, o: { ours: Ours; dashboardPath: string | null; rounds: number; runs: number }) {
  if (!existsSync(join(REPO, "src/reports/snapshot.ts")) || !existsSync(join(REPO, "src/reports/report-content.ts"))) return rec.note("R8: src/reports/snapshot.ts not built yet — n/a");
  if (!o.dashboardPath) return rec.note("R8: needs the bench dashboard (dashboards not built yet) — n/a");
  const dashboardId = o.dashboardPath.split("/").at(-1)!;
  const worker = await startWorker("png.ts", { DB: o.ours.dbPath, PRODUCT: o.ours.products.main!.id, DASHBOARD: dashboardId });
  try {
    for (let r = 0; r < o.rounds; r++) {
      const res = await worker.call<{ widget: number; bare: number; bytes: number; title: string; size: string }>({ runs: o.runs });
      const note = `line card ${res.size} px at 2×, 720 hourly points, median of ${o.runs}`;
      rec.add("png.widget", res.widget, "ms", "widget PNG: query + satori + resvg", note, { bytes: res.bytes });
      rec.add("png.bare", res.bare, "ms", "bare satori + resvg of the same card", note);
    }
  } finally {
    await worker.stop();
  }
}

/** DESIGN.md puts the tracker under static/t/; any .js there (or static/t.js) counts. */
function trackerPath(): string | undefined {
  const dir = join(REPO, "static/t");
  const inDir = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".js")).sort().map((f) => join(dir, f)) : [];
  return [...inDir, join(REPO, "static/t.js"), join(REPO, "static/tracker.js")].find(existsSync);
}

function trackerSize(rec: Recorder) {
  const path = trackerPath();
  if (!path) return rec.note("tracker gzip size: no tracking script yet — n/a");
  const bytes = readFileSync(path);
  rec.add("tracker.gzip_bytes", gzipSync(bytes, { level: 9 }).length, "bytes", `tracking script gzip -9 (${path.slice(REPO.length + 1)})`, `${bytes.length} bytes raw`);
}
