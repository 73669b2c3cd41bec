import type { Subprocess } from "bun";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Every child the benchmark starts (servers, peers, workers, wrk) and every temp dir it makes is
 * registered here and removed at the end — on success, on error and on Ctrl-C — so no InfluxDB or
 * VictoriaMetrics is left listening and no data dir is left behind.
 */
const children = new Set<Subprocess>();
const dirs = new Set<string>();

export const hasCommand = (name: string) => Bun.which(name) !== null;

/**
 * Core layout: with taskset and ≥ 2 cores, servers (ours, peers, in-process ceilings) run on
 * core 0 and the load generator (this process, wrk) on core 1, so the client never steals the
 * server's CPU. Every system gets the same single core.
 */
export const pinning = hasCommand("taskset") && availableParallelism() >= 2 ? { server: "0", load: "1" } : null;

export function pinSelfToLoadCore() {
  if (!pinning) return;
  Bun.spawnSync(["taskset", "-a", "-p", "-c", pinning.load, String(process.pid)], { stdout: "ignore", stderr: "ignore" });
}

export function pinnedToServerCore(cmd: string[]): string[] {
  return pinning ? ["taskset", "-c", pinning.server, ...cmd] : cmd;
}

export function spawnTracked(cmd: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; stdin?: "pipe" | "ignore"; stdout?: "pipe" | "ignore" | "inherit"; stderr?: "pipe" | "ignore" | "inherit" } = {}) {
  const proc = Bun.spawn(cmd, {
    cwd: opts.cwd,
    env: opts.env as Record<string, string>,
    stdin: opts.stdin ?? "ignore",
    stdout: opts.stdout ?? "ignore",
    stderr: opts.stderr ?? "inherit",
  });
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
}

/** SIGTERM, then SIGKILL after `graceMs` if it is still running. */
export async function stopProcess(proc: Subprocess, graceMs = 3000) {
  if (proc.exitCode !== null || proc.signalCode) return;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `litekpi-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

/** Synchronous last resort (exit handlers cannot await). */
export function killEverything() {
  for (const proc of children) {
    try {
      proc.kill("SIGKILL");
    } catch {}
  }
  children.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

export async function cleanup() {
  await Promise.all([...children].map((p) => stopProcess(p, 2000)));
  killEverything();
}

let installed = false;
export function installCleanupHandlers() {
  if (installed) return;
  installed = true;
  process.on("exit", killEverything);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping every child process…\n`);
      killEverything();
      process.exit(130);
    });
  }
}

/** A free loopback port (bind 0, read, close). */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Polls until `url` answers 2xx; returns ms waited. Fails early if `proc` exits. */
export async function waitForHttp(url: string, opts: { ms?: number; proc?: Subprocess; pollMs?: number } = {}): Promise<number> {
  const start = performance.now();
  const limit = opts.ms ?? 30_000;
  while (performance.now() - start < limit) {
    if (opts.proc && opts.proc.exitCode !== null) throw new Error(`${url}: process exited with ${opts.proc.exitCode} before answering`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return performance.now() - start;
    } catch {}
    await Bun.sleep(opts.pollMs ?? 5);
  }
  throw new Error(`${url} did not answer within ${limit} ms`);
}

/** Resident memory of a process from /proc (MB); null where /proc is missing. */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(status.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN);
    return { rssMb: kb("VmRSS") / 1024, hwmMb: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS (Linux ≥ 4.0, same user) so a later peak belongs to one operation. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Samples RSS every `everyMs` until stopped; the peak seen, and VmHWM when the kernel kept it. */
export function sampleRss(pid: number, everyMs = 10) {
  let peak = memoryOf(pid)?.rssMb ?? NaN;
  const timer = setInterval(() => {
    const m = memoryOf(pid);
    if (m && m.rssMb > peak) peak = m.rssMb;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const m = memoryOf(pid);
      return { peakSampledMb: Math.max(peak, m?.rssMb ?? 0), hwmMb: m?.hwmMb ?? NaN };
    },
  };
}
