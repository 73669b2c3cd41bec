import { resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const BUN = process.execPath;

/** A free loopback port (bind 0, read, close). */
export function freePort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** Polls `url` until it answers 200 or `ms` pass; returns the elapsed ms. */
export async function waitForHttp(url: string, ms = 10_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - start;
    } catch {}
    await Bun.sleep(20);
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

/** Runs `bun src/main.ts …args` (the CLI) and collects its output. */
export async function runCliProcess(args: string[], env: Record<string, string>) {
  const proc = Bun.spawn([BUN, "src/main.ts", ...args], { cwd: REPO, env: { ...process.env, LOG_LEVEL: "warn", ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}
