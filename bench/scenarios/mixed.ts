import { toOurJson, type PointFn } from "../lib/points";
import { ingestFor, loop } from "../lib/load";
import type { Recorder } from "../lib/report";
import type { Ours } from "../systems/ours";
import { encoded } from "./ingest";
import { hourly30, ourQuery } from "./queries";

/**
 * R7: reads and writes share one JavaScript thread in our server. Per round: the 30-day hourly
 * sum in a loop alone, ingest alone, then both at once — query p99 and ingest rate loaded vs idle.
 * Ingest goes to its own product (points past the 30 days), queries read the main product.
 */
export function mixedSource(point: PointFn, start: number, batch: number) {
  return encoded(point, start, Number.POSITIVE_INFINITY, batch, toOurJson);
}

export async function mixedRound(rec: Recorder, o: { ours: Ours; source: ReturnType<typeof mixedSource>; concurrency: number; seconds: number }) {
  if (!(await ourQuery(o.ours, "main", hourly30()))) return;
  const ms = o.seconds * 1000;
  const target = o.ours.ingestTarget("mixed");
  const query = () => ourQuery(o.ours, "main", hourly30());
  const idleQuery = await loop(query, ms);
  const idleIngest = await ingestFor(target, o.source, o.concurrency, ms);
  const [loadedIngest, loadedQuery] = await Promise.all([ingestFor(target, o.source, o.concurrency, ms), loop(query, ms)]);
  const note = `${o.seconds} s each, ${o.concurrency} ingest lanes, 1 query at a time`;
  rec.add("mixed.query_p99.idle", idleQuery.p99, "ms", "30-day hourly sum p99, idle", note, { ...idleQuery });
  rec.add("mixed.query_p99.loaded", loadedQuery.p99, "ms", "30-day hourly sum p99, during full-rate ingest", note, { ...loadedQuery });
  rec.add("mixed.ingest.idle", idleIngest.rate, "points/s", "batched ingest alone (mixed phase)", note);
  rec.add("mixed.ingest.loaded", loadedIngest.rate, "points/s", "batched ingest during a query loop", note);
}
