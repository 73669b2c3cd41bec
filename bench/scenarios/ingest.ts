import { batches, toOurJson, type BenchPoint, type PointFn } from "../lib/points";
import { ingest, type Encoded, type Target } from "../lib/load";
import type { Worker } from "../lib/rpc";
import type { Recorder } from "../lib/report";

/**
 * Batched ingest: every system gets the same slice of point(i) per round, in 1000-point
 * batches with the same number of lanes; systems take turns within a round (the order rotates
 * each round), so a noisy moment hurts all of them, not one.
 */
export type Ingester = { key: string; label: string; note: string; shuffled?: boolean; run(from: number, to: number): Promise<{ points: number; ms: number }> };

export function encoded(point: PointFn, from: number, to: number, batch: number, encode: (p: BenchPoint[]) => string, shuffled = false): Iterator<Encoded> {
  const source = batches(point, from, to, batch, shuffled);
  return {
    next() {
      const n = source.next();
      return n.done ? { done: true, value: undefined } : { done: false, value: { body: encode(n.value), count: n.value.length } };
    },
  };
}

function* iterate<T>(it: Iterator<T>) {
  for (let n = it.next(); !n.done; n = it.next()) yield n.value;
}

export function httpIngester(o: { key: string; label: string; note: string; target: Target; point: PointFn; batch: number; concurrency: number; encode?: (p: BenchPoint[]) => string; shuffled?: boolean }): Ingester {
  return {
    ...o,
    // Bodies are encoded before the clock starts, so the client's JSON work is not in the figure.
    run: (from, to) => ingest(o.target, [...iterate(encoded(o.point, from, to, o.batch, o.encode ?? toOurJson, o.shuffled))][Symbol.iterator](), o.concurrency),
  };
}

export function workerIngester(o: { key: string; label: string; note: string; worker: Worker; batch: number; concurrency: number }): Ingester {
  return { ...o, run: (from, to) => o.worker.call({ from, to, batch: o.batch, concurrency: o.concurrency }) };
}

export async function ingestRound(rec: Recorder, ingesters: Ingester[], round: number, from: number, to: number) {
  const order = ingesters.map((_, k) => ingesters[(k + round) % ingesters.length]!);
  for (const ing of order) {
    const r = await ing.run(from, to);
    const rate = (r.points / r.ms) * 1000;
    rec.add(ing.key, rate, "points/s", ing.label, ing.note, { points: r.points, ms: r.ms });
  }
}
