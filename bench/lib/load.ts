import { latencySummary } from "./stats";

/**
 * The Bun load generator (runs in this process, pinned to the load core). Batches are encoded
 * on the fly by each lane, so every system pays the same client cost per batch and nothing is
 * held in memory across systems.
 */
export type Encoded = { body: string; count: number };
export type Target = { url: string; headers: Record<string, string>; name: string };

async function post(target: Target, body: string): Promise<void> {
  const res = await fetch(target.url, { method: "POST", headers: target.headers, body });
  if (!res.ok) throw new Error(`${target.name}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  await res.arrayBuffer();
}

/** Sends every body from `source` with `concurrency` lanes; points/s over the whole run. */
export async function ingest(target: Target, source: Iterator<Encoded>, concurrency: number) {
  const start = performance.now();
  let points = 0;
  let requests = 0;
  const lane = async () => {
    for (let next = source.next(); !next.done; next = source.next()) {
      await post(target, next.value.body);
      points += next.value.count;
      requests++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const ms = performance.now() - start;
  return { ms, points, requests, rate: (points / ms) * 1000 };
}

/** Like ingest, but for `durationMs` (the source must be long enough); for the R7 mixed loads. */
export async function ingestFor(target: Target, source: Iterator<Encoded>, concurrency: number, durationMs: number) {
  const start = performance.now();
  const until = start + durationMs;
  let points = 0;
  const lane = async () => {
    while (performance.now() < until) {
      const next = source.next();
      if (next.done) throw new Error(`${target.name}: source ran out before ${durationMs} ms`);
      await post(target, next.value.body);
      points += next.value.count;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const ms = performance.now() - start;
  return { ms, points, rate: (points / ms) * 1000 };
}

/** Runs `once` back to back (one at a time) for `durationMs`; latency percentiles in ms. */
export async function loop(once: () => Promise<unknown>, durationMs: number, minRuns = 5) {
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  while (performance.now() < until || latencies.length < minRuns) {
    const t = performance.now();
    await once();
    latencies.push(performance.now() - t);
  }
  return latencySummary(latencies);
}

/**
 * Times `once` `runs` times after `warm` unmeasured runs; latency percentiles in ms. Slow
 * systems stop early after `budgetMs` (never before 3 runs), so one slow peer cannot eat the run.
 */
export async function repeat(once: () => Promise<unknown>, runs: number, warm = 1, budgetMs = 4000) {
  for (let i = 0; i < warm; i++) await once();
  const latencies: number[] = [];
  const until = performance.now() + budgetMs;
  for (let i = 0; i < runs && (i < 3 || performance.now() < until); i++) {
    const t = performance.now();
    await once();
    latencies.push(performance.now() - t);
  }
  return latencySummary(latencies);
}

/** Single-point POSTs without wrk: `concurrency` keep-alive lanes cycling through `bodies`. */
export async function singleRequests(target: Target, bodies: string[], concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const start = performance.now();
  const until = start + durationMs;
  let k = 0;
  const lane = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      await post(target, bodies[k++ % bodies.length]!);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const ms = performance.now() - start;
  return { rps: (latencies.length / ms) * 1000, ...latencySummary(latencies) };
}
