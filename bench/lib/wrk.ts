import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { spawnTracked, tempDir } from "./procs";

/**
 * Single-point POSTs with wrk (C, one thread, on the load core — it inherits this process's
 * affinity): a Lua script cycles through pre-formatted requests so wrk does no work per request
 * beyond sending bytes.
 */
export const hasWrk = () => Bun.which("wrk") !== null;

const luaString = (s: string) => `[==[${s}]==]`;

export async function runWrk(opts: { url: string; headers: Record<string, string>; bodies: string[]; connections: number; seconds: number }) {
  const dir = tempDir("wrk");
  const script = join(dir, "points.lua");
  const u = new URL(opts.url);
  writeFileSync(
    script,
    [
      `wrk.method = "POST"`,
      ...Object.entries(opts.headers).map(([k, v]) => `wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`),
      `local bodies = {`,
      ...opts.bodies.map((b) => `  ${luaString(b)},`),
      `}`,
      `local reqs = {}`,
      `local i = 0`,
      `function init(args) for k, b in ipairs(bodies) do reqs[k] = wrk.format(nil, ${luaString(u.pathname)}, nil, b) end end`,
      `function request() i = i % #reqs + 1 return reqs[i] end`,
    ].join("\n"),
  );
  const proc = spawnTracked(["wrk", "-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "--latency", "-s", script, `${u.origin}${u.pathname}`], { stdout: "pipe" });
  const [out, code] = await Promise.all([new Response(proc.stdout as ReadableStream).text(), proc.exited]);
  if (code !== 0) throw new Error(`wrk exited ${code}:\n${out}`);
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const bad = Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0);
  const errors = out.match(/Socket errors:.*$/m)?.[0];
  if (bad > 0) throw new Error(`wrk: ${bad} non-2xx answers from ${opts.url}\n${out}`);
  const p = (q: string) => toMs(out.match(new RegExp(`^\\s+${q}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m")));
  return { rps, p50: p("50"), p99: p("99"), socketErrors: errors ?? null };
}

function toMs(m: RegExpMatchArray | null): number {
  if (!m) return NaN;
  const x = Number(m[1]);
  return m[2] === "us" ? x / 1000 : m[2] === "s" ? x * 1000 : x;
}
