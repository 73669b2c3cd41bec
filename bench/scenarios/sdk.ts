import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "../lib/report";
import { REPO } from "../lib/rpc";

/**
 * R22: what `track()` costs the application's own thread in each SDK, µs per call, against our
 * live server (the SDK's background sending goes to it). Each language runs in its own process
 * (bench/workers/sdk-track.ts, sdk_track.py; Go's BenchmarkTrack in sdks/go).
 */
export async function sdkRound(rec: Recorder, opts: { endpoint: string; apiKey: string; calls: number }) {
  const env = { ...process.env, LITEKPI_ENDPOINT: opts.endpoint, LITEKPI_API_KEY: opts.apiKey, N: String(opts.calls) };
  const runJson = async (cmd: string[], cwd = REPO) => {
    const proc = Bun.spawn(cmd, { cwd, env, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`${cmd.join(" ")}: exit ${code}\n${err.slice(-500)}`);
    return out;
  };
  const note = `${opts.calls.toLocaleString("en")} calls, 4 properties, user and context set`;
  const ts = JSON.parse((await runJson([process.execPath, join(REPO, "bench/workers/sdk-track.ts")])).trim().split("\n").at(-1)!);
  rec.add("sdk.track_us.ts", ts.us_per_call, "µs", "SDK track() on the caller's thread: TypeScript (Bun)", note);

  const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : Bun.which("python3");
  if (python) {
    const py = JSON.parse((await runJson([python, join(REPO, "bench/workers/sdk_track.py")])).trim().split("\n").at(-1)!);
    rec.add("sdk.track_us.python", py.us_per_call, "µs", "SDK track() on the caller's thread: Python", note);
  } else rec.note("R22 Python: no python3 — n/a");

  const go = Bun.which("go");
  if (go) {
    const out = await runJson([go, "test", "-run", "^$", "-bench", "^BenchmarkTrack$", "-benchtime", `${opts.calls}x`, "-count", "1", "."], join(REPO, "sdks/go"));
    const ns = Number(/BenchmarkTrack\S*\s+\d+\s+([\d.]+) ns\/op/.exec(out)?.[1]);
    if (Number.isFinite(ns)) rec.add("sdk.track_us.go", ns / 1000, "µs", "SDK track() on the caller's thread: Go", note);
  } else rec.note("R22 Go: no go toolchain (apt-get install golang-go) — n/a");
}
