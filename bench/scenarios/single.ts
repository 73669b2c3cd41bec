import { toOurJson, type PointFn } from "../lib/points";
import { singleRequests, type Target } from "../lib/load";
import { hasWrk, runWrk } from "../lib/wrk";
import type { Recorder } from "../lib/report";

/**
 * Single-point POSTs (one point per request) against our server and against a bare Bun.serve
 * JSON handler, same bodies, same connections, same duration; wrk when installed, else the Bun
 * load generator. The bare server is the floor for per-request cost (R4).
 */
export const singleGenerator = () => (hasWrk() ? "wrk (1 thread, Lua script cycling 1000 bodies)" : "Bun load generator (fetch, keep-alive)");

export function singleBodies(point: PointFn, from: number, count = 1000): string[] {
  return Array.from({ length: count }, (_, k) => toOurJson([point(from + k)]).slice(1, -1));
}

type Run = { key: string; label: string; target: Target; note: string };

export async function singleRound(rec: Recorder, o: { round: number; runs: Run[]; bodies: string[]; connections: number; seconds: number }) {
  const order = o.runs.map((_, k) => o.runs[(k + o.round) % o.runs.length]!);
  for (const { key, label, target, note } of order) {
    const r = hasWrk()
      ? await runWrk({ url: target.url, headers: target.headers, bodies: o.bodies, connections: o.connections, seconds: o.seconds })
      : await singleRequests(target, o.bodies, o.connections, o.seconds * 1000);
    rec.add(key, r.rps, "req/s", label, `${note}; ${o.connections} connections`, { p50: r.p50, p99: r.p99 });
    rec.add(`${key}.p99`, r.p99, "ms", `${label}: p99 latency`, `${o.connections} connections, ${o.seconds} s`);
  }
}
