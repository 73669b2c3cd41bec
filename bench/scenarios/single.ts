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

export async function singleRound(rec: Recorder, o: { round: number; ours: Target; bare: Target; bodies: string[]; connections: number; seconds: number; note: string }) {
  const runs: [string, string, Target, string][] = [
    ["single.ours", "single-point POSTs, ours", o.ours, o.note],
    ["single.bare", "single-point POSTs, bare Bun.serve JSON handler", o.bare, "no storage"],
  ];
  if (o.round % 2) runs.reverse();
  for (const [key, label, target, note] of runs) {
    const r = hasWrk()
      ? await runWrk({ url: target.url, headers: target.headers, bodies: o.bodies, connections: o.connections, seconds: o.seconds })
      : await singleRequests(target, o.bodies, o.connections, o.seconds * 1000);
    rec.add(key, r.rps, "req/s", label, note, { p50: r.p50, p99: r.p99 });
    rec.add(`${key}.p99`, r.p99, "ms", `${label}: p99 latency`, `${o.connections} connections`);
  }
}
