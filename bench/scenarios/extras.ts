import { existsSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { REPO, startWorker } from "../lib/rpc";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";

/** The widget PNG (R8) and the tracker's gzip size. */
export async function extrasRound(rec: Recorder, o: { ours: Ours; dashboardPath: string | null; rounds: number; runs: number }) {
  await trackerSize(rec, o.ours);
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

/** R13: GET /t.js as a customer's page gets it, the bytes on the wire (the server gzips it itself). */
async function trackerSize(rec: Recorder, ours: Ours) {
  const res = await fetch(`${ours.url}/t.js`, { headers: { "Accept-Encoding": "gzip" }, decompress: false } as RequestInit);
  if (res.status === 404) return rec.note("R13: GET /t.js not built yet — n/a");
  const wire = new Uint8Array(await res.arrayBuffer());
  const gz = res.headers.get("content-encoding") === "gzip";
  const raw = gz ? gunzipSync(wire).length : wire.length;
  rec.add("tracker.gzip_bytes", gz ? wire.length : gzipSync(wire, { level: 9 }).length, "bytes", "GET /t.js gzipped as served", `${raw} bytes minified${gz ? "" : " (sent without gzip: gzip -9 counted)"}`);
}
