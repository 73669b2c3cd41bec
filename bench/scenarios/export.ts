import { METRIC, SPAN_END, SPAN_START } from "../lib/points";
import { memoryOf, resetPeakRss, sampleRss } from "../lib/procs";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";

/**
 * R9: GET /api/v1/export.csv of every point of the main product, read as a stream by the
 * client; time to the last byte and the server's peak RSS growth (VmHWM reset right before,
 * plus 10 ms /proc sampling where the reset is not allowed).
 */
export async function exportRound(rec: Recorder, o: { ours: Ours; n: number }) {
  const params = new URLSearchParams({ metric: METRIC, from: new Date(SPAN_START).toISOString(), to: new Date(SPAN_END).toISOString(), timezone: "UTC" });
  const url = `${o.ours.url}/api/v1/export.csv?${params}`;
  const headers = { authorization: o.ours.readHeaders("main").authorization! };
  Bun.gc(true);
  const hwmReset = resetPeakRss(o.ours.pid);
  const before = memoryOf(o.ours.pid)?.rssMb ?? NaN;
  const sampler = sampleRss(o.ours.pid);
  const t0 = performance.now();
  // R12: /healthz, one request after another, for as long as the export streams.
  let streaming = true;
  const health: number[] = [];
  const probing = (async () => {
    while (streaming) {
      const h0 = performance.now();
      await fetch(`${o.ours.url}/healthz`).then((r) => r.arrayBuffer());
      health.push(performance.now() - h0);
    }
  })();
  const res = await fetch(url, { headers });
  if (res.status === 404 || res.status === 405) {
    streaming = false;
    await probing;
    sampler.stop();
    await res.arrayBuffer();
    return false;
  }
  if (!res.ok) throw new Error(`export.csv: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  let bytes = 0;
  let lines = 0;
  const reader = res.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    const chunk = r.value;
    bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
  }
  const seconds = (performance.now() - t0) / 1000;
  streaming = false;
  await probing;
  const peak = sampler.stop();
  const growth = Math.max(peak.peakSampledMb, hwmReset ? peak.hwmMb : 0) - before;
  const rows = lines - 1; // header line
  const note = `${rows.toLocaleString("en")} rows, ${(bytes / 1e6).toFixed(0)} MB${rows !== o.n ? ` (expected ${o.n.toLocaleString("en")})` : ""}`;
  rec.add("csv.seconds", seconds, "s", "CSV export, time to last byte", note, { rows, bytes });
  health.sort((a, b) => a - b);
  const p99 = health[Math.min(health.length - 1, Math.floor(health.length * 0.99))] ?? NaN;
  rec.add("csv.healthz_p99_ms", p99, "ms", "/healthz p99 while the CSV export streams", `${health.length} sequential requests during the export`);
  rec.add("csv.rss_growth_mb", growth, "MB", "CSV export, server peak RSS growth", hwmReset ? "VmHWM after reset − RSS before" : "sampled every 10 ms");
  return true;
}
