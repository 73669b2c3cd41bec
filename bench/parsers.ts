/**
 * `bun bench/parsers.ts`: the ingest parsers alone, in points per second on this thread — the
 * line-protocol drop-in (src/dropins/influx/line-protocol.ts) against the native JSON path
 * (JSON.parse + parsePoints), on the bench's own data set in 1000-point batches. No HTTP, no
 * writer: it tells whether a parser could be what limits R2 / R21.
 */
import { parseLineProtocol } from "../src/dropins/influx/line-protocol";
import { parsePoints } from "../src/ingest/payload";
import { batches, pointsOf, toLineProtocol, toOurJson } from "./lib/points";

const N = 200_000;
const point = pointsOf(N);
const lines = [...batches(point, 0, N, 1000)].map(toLineProtocol);
const json = [...batches(point, 0, N, 1000)].map(toOurJson);
const now = Date.now();

function rate(run: () => number): number {
  const t = performance.now();
  const n = run();
  return (n / (performance.now() - t)) * 1000;
}

for (let round = 1; round <= 5; round++) {
  const lp = rate(() => lines.reduce((n, b) => n + parseLineProtocol(b, "ms", now).points.length, 0));
  const js = rate(() => json.reduce((n, b) => n + parsePoints(JSON.parse(b), now).points.length, 0));
  console.log(`round ${round}: line protocol ${(lp / 1e6).toFixed(2)}M points/s, JSON ${(js / 1e6).toFixed(2)}M points/s`);
}
